// <intent-chat>: a support chat box that sends each message to an intent-inference server and shows
// what the model made of it. Plain JavaScript, no dependencies; embed it with one script tag:
//
//   <script type="module" src="http://127.0.0.1:8000/web/intent-chat.js"></script>
//   <intent-chat server="http://127.0.0.1:8000" model="clinc150"></intent-chat>
//
// Attributes (all optional):
//   server      the server's base URL (default: where this script was loaded from); from another
//               origin the server must list the page's origin (intent serve --cors-origin URL)
//   model       the model to ask (default: the first model the server serves)
//   max-length  longest message accepted, in characters (default 1000); longer ones are refused here
//   retries     attempts after the first when the server is unreachable or busy (default 4), waiting
//               0.5 s, 1 s, 2 s, 4 s... in between; then a notice says the message was not delivered
//
// Each answer carries data-intent, data-out-of-scope, data-confidence, data-model-version,
// data-server-ms, data-truncated and data-answered-by-fallback (a cascade model's second network
// answered), so pages and tests can read it. An answer takes the place kept for it right under its
// message, however many messages were sent meanwhile and whichever answer came first.

const SCRIPT_ORIGIN = new URL(import.meta.url).origin;
const FALLBACK_REPLY = "Sorry, I can't help with that here. Could you say it another way, or ask to talk to a person?";
const BUSY = new Set([502, 503, 504]);

const STYLE = `
:host { display: block; font: 15px/1.4 system-ui, sans-serif; color: #1d2330; }
.box { display: flex; flex-direction: column; border: 1px solid #c5cad3; border-radius: 8px; background: #fff; height: 100%; min-height: 360px; }
.log { flex: 1; overflow-y: auto; padding: 12px; min-height: 240px; max-height: 60vh; }
.log:focus-visible, input:focus-visible, button:focus-visible { outline: 3px solid #f59e0b; outline-offset: 1px; }
.msg { margin: 8px 0; padding: 8px 12px; border-radius: 8px; max-width: 88%; overflow-wrap: anywhere; }
.user { background: #dbeafe; margin-left: auto; }
.bot { background: #eef0f3; }
.bot.oos { background: #fdf2e9; }
.bot.notice { background: #fff3cd; }
.pending { background: #eef0f3; color: #4b5563; }
.intent { font-weight: 600; }
.meta { font-size: 12px; color: #4b5563; margin-top: 4px; }
ol { margin: 4px 0 0; padding-left: 20px; font-size: 13px; }
.bar { display: inline-block; height: 6px; background: #2563eb; vertical-align: middle; margin-right: 6px; border-radius: 3px; }
form { display: flex; gap: 8px; padding: 8px 12px; border-top: 1px solid #e5e7eb; }
input { flex: 1; padding: 9px; font: inherit; border: 1px solid #9ca3af; border-radius: 6px; min-width: 0; }
input[aria-invalid="true"] { border-color: #b91c1c; }
button { padding: 9px 16px; font: inherit; border: 0; border-radius: 6px; background: #1d4ed8; color: #fff; cursor: pointer; }
.alert { color: #991b1b; font-size: 13px; padding: 0 12px; min-height: 1.2em; }
.status { color: #4b5563; font-size: 12px; padding: 0 12px 8px; min-height: 1.2em; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Mn}\p{Me}\u2800\u3164\uFFA0]/gu;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

const percent = p => (100 * p).toFixed(1) + "%";

class Unreachable extends Error {}

export class IntentChat extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    // A constructed style sheet, not a <style> element: pages with a strict Content-Security-Policy
    // (no 'unsafe-inline' styles, like the server's own) still style the component.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
    this.log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
    this.input = el("input", { id: "message", type: "text", autocomplete: "off", "aria-describedby": "alert status",
      placeholder: "Type your question, e.g. \u201cI moved, how do I change my address?\u201d" });
    const label = el("label", { for: "message", class: "sr-only" }, "Message to the support assistant (press Enter to send)");
    this.button = el("button", { type: "submit" }, "Send");
    this.form = el("form", { "aria-label": "Send a message" }, label, this.input, this.button);
    this.alert = el("div", { id: "alert", class: "alert", role: "alert" });
    this.statusLine = el("div", { id: "status", class: "status", role: "status" });
    const box = el("section", { class: "box", "aria-label": this.getAttribute("aria-label") || "Support chat" },
      this.log, this.form, this.alert, this.statusLine);
    root.append(box);
    this.form.addEventListener("submit", ev => {
      ev.preventDefault();
      this.submit();
    });
    this.input.addEventListener("input", () => {
      if (this.input.getAttribute("aria-invalid") === "true") this.clearAlert();
    });
  }

  get server() {
    return (this.getAttribute("server") || SCRIPT_ORIGIN).replace(/\/+$/, "");
  }

  get maxLength() {
    const n = parseInt(this.getAttribute("max-length"), 10);
    return n > 0 ? n : 1000;
  }

  get retries() {
    const n = parseInt(this.getAttribute("retries"), 10);
    return n >= 0 ? n : 4;
  }

  /** Moves keyboard focus to the message field. */
  focus() {
    this.input.focus();
  }

  /** Sends what is in the message field, after checking it here first. */
  submit() {
    const message = this.input.value.trim();
    // Invisible characters alone (zero-width spaces, joiners, marks) are no message: the server
    // strips them and would answer "text is empty".
    if (!message.replace(INVISIBLE, "")) {
      this.showAlert("Please type a message before sending.");
      return;
    }
    if (message.length > this.maxLength) {
      this.showAlert(`Your message is ${message.length.toLocaleString("en")} characters long; please keep it under `
        + `${this.maxLength.toLocaleString("en")} characters.`);
      return;
    }
    this.clearAlert();
    this.input.value = "";
    return this.send(message);
  }

  showAlert(text) {
    this.alert.textContent = text;
    this.input.setAttribute("aria-invalid", "true");
    this.input.focus();
  }

  clearAlert() {
    this.alert.textContent = "";
    this.input.removeAttribute("aria-invalid");
  }

  add(cls, attrs, ...children) {
    const div = el("div", Object.assign({ class: "msg " + cls }, attrs), ...children);
    this.log.append(div);
    this.log.scrollTop = this.log.scrollHeight;
    return div;
  }

  /** Puts a reply where {@code slot} kept its place (under its message). */
  reply(slot, cls, attrs, ...children) {
    const div = el("div", Object.assign({ class: "msg " + cls }, attrs), ...children);
    slot.replaceWith(div);
    return div;
  }

  /**
   * POSTs or GETs with retries: a refused connection (server restarting, or an origin the server
   * does not allow) or a 502/503/504 is tried again after 0.5 s, 1 s, 2 s... (a 503's Retry-After
   * when longer), up to the retries attribute; then Unreachable.
   */
  async request(path, init) {
    for (let attempt = 0; ; attempt++) {
      let res = null;
      try {
        res = await fetch(this.server + path, init);
        if (!BUSY.has(res.status)) return res;
      } catch (e) {
        // network failure: nothing to read; retried below
      }
      if (attempt >= this.retries) throw new Unreachable(res ? "HTTP " + res.status : "no connection");
      const after = res && Number(res.headers.get("retry-after"));
      const delay = Math.max(Math.min(500 * 2 ** attempt, 8000), after > 0 ? after * 1000 : 0);
      this.statusLine.textContent = `The assistant is not answering (${res ? "busy" : "no connection"}); `
        + `trying again in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 2} of ${this.retries + 1}).`;
      await sleep(delay);
    }
  }

  async model() {
    const named = this.getAttribute("model");
    if (named) return named;
    const res = await this.request("/v1/stats", { method: "GET" });
    const stats = await res.json();
    if (!stats.models || !stats.models.length) throw new Error("the server serves no model");
    return stats.models[0].name;
  }

  async send(message) {
    this.add("user", { "aria-label": "You said" }, message);
    const slot = this.add("pending", { "aria-hidden": "true" }, "\u2026");
    this.log.setAttribute("aria-busy", "true");
    this.statusLine.textContent = "Sending\u2026";
    try {
      const model = await this.model();
      const res = await this.request("/v1/models/" + encodeURIComponent(model) + "/predict", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: message })
      });
      let body;
      try {
        body = await res.json();
      } catch (e) {
        body = { error: "the answer was not JSON" };
      }
      if (!res.ok) {
        this.reply(slot, "bot notice", { "data-error": String(body.error), "data-status": String(res.status) },
          `Sorry, the assistant could not take that message: ${body.error} (HTTP ${res.status}).`);
        this.statusLine.textContent = "";
        return;
      }
      this.answer(slot, model, body, serverMs(res));
    } catch (e) {
      const why = e instanceof Unreachable
        ? `Sorry, the assistant can't be reached right now (${e.message} from ${this.server}). Your message was not `
          + "delivered; please try again in a minute."
        : `Sorry, something went wrong: ${e.message}`;
      this.reply(slot, "bot notice", { "data-error": e instanceof Unreachable ? "unreachable" : "failed" }, why);
      this.statusLine.textContent = "";
    } finally {
      this.log.removeAttribute("aria-busy");
    }
  }

  answer(slot, model, p, ms) {
    const oos = Boolean(p.out_of_scope);
    const byFallback = Boolean(p.answered_by_fallback);
    const attrs = {
      "data-intent": p.intent, "data-out-of-scope": String(oos), "data-confidence": String(p.confidence),
      "data-model-version": String(p.model_version), "data-server-ms": ms == null ? "" : String(ms),
      "data-answered-by-fallback": String(byFallback), "data-truncated": String(Boolean(p.truncated))
    };
    const headline = oos
      ? el("div", {}, FALLBACK_REPLY)
      : el("div", {}, "Intent ", el("span", { class: "intent" }, p.intent), " \u00b7 " + percent(p.confidence) + " confident");
    const decision = el("div", { class: "meta" }, (oos
      ? `Out of scope: the model judged it outside its intents (the closest, ${p.top && p.top[0] ? p.top[0].intent : "none"}, `
        + "is not confident enough)."
      : "In scope.") + (p.truncated ? " The message was cut to the model's maximum length." : ""));
    const top = el("ol", { "aria-label": "Top intents" });
    for (const t of (p.top || []).slice(0, 3)) {
      const bar = el("span", { class: "bar", "aria-hidden": "true" });
      bar.style.width = Math.round(80 * t.confidence) + "px";
      top.append(el("li", {}, bar, `${t.intent} ${percent(t.confidence)}`));
    }
    const meta = el("div", { class: "meta" }, `model ${model} version ${p.model_version}`
      + (byFallback ? " \u00b7 answered by its fallback model (the first was unsure)" : "")
      + (ms == null ? "" : ` \u00b7 ${ms.toFixed(1)} ms on the server`));
    this.reply(slot, oos ? "bot oos" : "bot", attrs, headline, decision, top, meta);
    this.statusLine.textContent = "";
  }
}

/** The server-side latency from Server-Timing: app;dur=1.234 (milliseconds), or null. */
function serverMs(res) {
  const m = /(?:^|,)\s*app;dur=([0-9.]+)/.exec(res.headers.get("server-timing") || "");
  return m ? Number(m[1]) : null;
}

if (!customElements.get("intent-chat")) {
  customElements.define("intent-chat", IntentChat);
}
