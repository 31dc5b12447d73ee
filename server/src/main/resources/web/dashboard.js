// The home page's live dashboard: polls GET /v1/stats every second and draws the last minute.
// /v1/stats gives cumulative counters and histogram buckets (like Prometheus); rates and
// percentiles here are over the interval between two polls, as Prometheus' rate() would give.

import { lineChart, barChart, format } from "./charts.js";

const HISTORY_MS = 60000;  // the charts show the last minute by the server's clock, however often polls came
const MAX_GAP_MS = 5000;   // polls further apart (the server unreachable, the tab in the background) leave a gap
const BATCH_WINDOW = 10;   // seconds of batches in the batch-size distribution
const samples = [];
const $ = id => document.getElementById(id);

/** The q-quantile of a histogram given as cumulative counts at upper bounds le, interpolated linearly. */
export function quantile(le, cumulative, total, q) {
  if (!(total > 0) || !le.length) return null;
  const rank = q * total;
  let lower = 0, below = 0;
  for (let i = 0; i < le.length; i++) {
    if (cumulative[i] >= rank) {
      const span = cumulative[i] - below;
      return lower + (le[i] - lower) * (span > 0 ? (rank - below) / span : 1);
    }
    lower = le[i];
    below = cumulative[i];
  }
  return le[le.length - 1]; // beyond the last bucket: at least that
}

/** Bucket-wise difference b - a of two cumulative histograms (a may predate the histogram). */
function diff(a, b) {
  const counts = b.counts.map((c, i) => c - (a && a.le.length === b.le.length ? a.counts[i] : 0));
  return { le: b.le, counts, count: b.count - (a && a.le.length === b.le.length ? a.count : 0), sum: b.sum - (a ? a.sum : 0) };
}

function rates(prev, cur) {
  if (cur.time_ms - prev.time_ms > MAX_GAP_MS) return gap(cur); // an average over the gap would read as steady load
  const dt = Math.max(0.001, (cur.time_ms - prev.time_ms) / 1000);
  const lat = diff(prev.latency_seconds, cur.latency_seconds);
  const ms = q => { const v = quantile(lat.le, lat.counts, lat.count, q); return v == null ? null : 1000 * v; };
  const causes = {};
  for (const [cause, n] of Object.entries(cur.errors.by_cause)) {
    causes[cause] = (n - (prev.errors.by_cause[cause] || 0)) / dt;
  }
  return {
    time: cur.time_ms,
    requests: (cur.requests.total - prev.requests.total) / dt,
    inferences: (cur.batch_size.sum - prev.batch_size.sum) / dt,
    p50: ms(0.5), p90: ms(0.9), p99: ms(0.99),
    unavailable: (cur.errors.unavailable - prev.errors.unavailable) / dt,
    errors: (cur.errors.total - prev.errors.total) / dt,
    causes,
    escalated: escalatedShares(prev.cascade || {}, cur.cascade || {})
  };
}

/** An interval with no values: drawn as a gap. */
function gap(cur) {
  return { time: cur.time_ms, requests: null, inferences: null, p50: null, p90: null, p99: null, unavailable: null,
    errors: null, causes: {}, escalated: {}, gap: true };
}

/** Per cascade model, the percentage of its texts in the interval that its fallback answered (null: none came). */
function escalatedShares(prev, cur) {
  const shares = {};
  for (const [model, c] of Object.entries(cur)) {
    const p = prev[model] || { texts: 0, escalated: 0 };
    const texts = (c.texts || 0) - (p.texts || 0);
    shares[model] = texts > 0 ? 100 * ((c.escalated || 0) - (p.escalated || 0)) / texts : null;
  }
  return shares;
}

function batchBars(from, to) {
  const h = diff(from && from.batch_size, to.batch_size);
  const bars = [];
  let lower = 0, below = 0, last = 0;
  h.le.forEach((le, i) => {
    const n = h.counts[i] - below;
    bars.push({ label: le - lower === 1 ? String(le) : `${lower + 1}-${le}`, value: n });
    if (n > 0) last = i;
    lower = le;
    below = h.counts[i];
  });
  return { bars: bars.slice(0, Math.max(5, last + 1)), total: h.count };
}

function render() {
  const cur = samples[samples.length - 1];
  const series = [];
  for (let i = 1; i < samples.length; i++) series.push(rates(samples[i - 1], samples[i]));
  const times = series.map(r => r.time);
  const line = (name, values) => ({ name, values, times });
  const pick = key => series.map(r => r[key]);
  // One time axis for every chart: from the oldest poll kept (where the first interval starts) to the newest.
  const chart = (id, spec) => lineChart($(id), { ...spec, maxGapMs: MAX_GAP_MS, startMs: samples[0].time_ms, endMs: cur.time_ms });
  chart("chart-throughput", { title: "Throughput", unit: "/s",
    series: [line("requests", pick("requests")), line("inferences", pick("inferences"))] });
  chart("chart-latency", { title: "Latency", unit: " ms", series: [line("p50", pick("p50")), line("p90", pick("p90")), line("p99", pick("p99"))] });
  // Queue depth is a reading, not a rate: one value per poll, the first one included.
  const depthSeries = Object.keys(cur.queue_depth).map(m => ({ name: m, values: samples.map(s => s.queue_depth[m] ?? null),
    times: samples.map(s => s.time_ms) }));
  chart("chart-queue", { title: "Queue depth", unit: "", series: depthSeries.length ? depthSeries : [line("queued", [])] });
  const causes = Object.keys(cur.errors.by_cause).sort();
  chart("chart-errors", { title: "Errors", unit: "/s", series: [line("503s", pick("unavailable")),
    ...causes.map(c => line(c, series.map(r => r.gap ? null : r.causes[c] ?? 0)))] });
  const cascades = Object.keys(cur.cascade || {}).sort();
  $("figure-escalated").hidden = cascades.length === 0;
  if (cascades.length) {
    chart("chart-escalated", { title: "Answered by the fallback model", unit: "%",
      series: cascades.map(m => line(m, series.map(r => r.escalated[m] ?? null))) });
    $("escalated-total").textContent = "Since start: " + cascades.map(m => {
      const c = cur.cascade[m];
      return `${m} ${c.escalated} of ${c.texts} texts (${format(c.texts > 0 ? 100 * c.escalated / c.texts : 0)}%)`;
    }).join(", ") + ".";
  }
  // The newest poll at least BATCH_WINDOW seconds old; after a gap in the polls it is older, and the label says so.
  const from = samples.findLast(s => s.time_ms <= cur.time_ms - BATCH_WINDOW * 1000) || null;
  const age = from ? Math.round((cur.time_ms - from.time_ms) / 1000) : 0;
  let batches = batchBars(from, cur);
  let window = !from ? "since start" : `last ${age > BATCH_WINDOW + MAX_GAP_MS / 1000 ? age : BATCH_WINDOW} s`;
  if (batches.total === 0 && from) {
    batches = batchBars(null, cur);
    window = "since start (none in the " + window + ")";
  }
  barChart($("chart-batches"), { title: "Batch sizes, " + window, unit: "", bars: batches.bars });
  $("batches-window").textContent = `${batches.total} batch${batches.total === 1 ? "" : "es"}, ${window}`;
  const totals = Object.entries(cur.errors.by_cause).map(([c, n]) => `${c} ${n}`).join(", ");
  $("errors-total").textContent = `Since start: ${cur.requests.total} requests, ${cur.errors.unavailable} answered 503, `
    + `${cur.errors.total} errors${totals ? " (" + totals + ")" : ""}.`;
}

let modelsShown = "";

async function renderModels(models) {
  const key = JSON.stringify(models);
  if (key === modelsShown) return;
  modelsShown = key;
  const select = $("model");
  const chosen = select.value;
  select.replaceChildren(...models.map(m => new Option(`${m.name} (version ${m.serving_version})`, m.name)));
  if (models.some(m => m.name === chosen)) select.value = chosen;
  $("chat").setAttribute("model", select.value);
  const cards = [];
  for (const m of models) {
    cards.push(await modelCard(m));
  }
  $("models").replaceChildren(...cards);
}

function item(dl, term, ...value) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.append(...value);
  dl.append(dt, dd);
}

function details(summary, value) {
  const d = document.createElement("details");
  const s = document.createElement("summary");
  s.textContent = summary;
  const pre = document.createElement("pre");
  pre.textContent = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  d.append(s, pre);
  return d;
}

async function modelCard(m) {
  const card = document.createElement("article");
  card.className = "model";
  card.dataset.model = m.name;
  card.dataset.servingVersion = m.serving_version;
  const h = document.createElement("h3");
  h.textContent = m.name;
  card.append(h);
  const dl = document.createElement("dl");
  item(dl, "serving", `version ${m.serving_version}` + (m.loaded_versions.length > 1 ? ` (loaded: ${m.loaded_versions.join(", ")})` : ""));
  try {
    const res = await fetch("/v2/models/" + encodeURIComponent(m.name), { cache: "no-store" });
    const meta = await res.json();
    const man = meta.manifest || {};
    const compile = man.compile || {};
    const labels = man.labels || [];
    item(dl, "labels", `${labels.length}: ${labels.slice(0, 8).join(", ")}${labels.length > 8 ? ", \u2026" : ""}`,
      ...(labels.length > 8 ? [details("all labels", labels.join("\n"))] : []));
    item(dl, "kind", man.kind || "\u2013");
    item(dl, "precision", compile.precision || "fp32 (not compiled)");
    item(dl, "target", compile.target || "\u2013");
    // Which score it compares matters: a certainty threshold is not a bound on the percentages the chat shows.
    if (man.threshold) item(dl, "out-of-scope threshold", format(man.threshold.value) + " on the "
      + (man.threshold.score === "certainty" ? "certainty score (1 - entropy / ln of the intent count)" : "best intent's probability"));
    const cascade = compile.cascade;
    if (cascade) {
      item(dl, "cascade", `below ${format(cascade.escalate_below)} confidence, ${cascade.fallback_name} version `
        + `${cascade.fallback_version} answers instead`);
    }
    item(dl, "verification", compile.verification ? details("report", compile.verification) : "\u2013 (not compiled)");
    const provenance = { encoders: (man.encoders || []).map(e => e.id), training: man.training && {
      mode: man.training.mode, seed: man.training.seed }, build: man.build, files: man.files };
    item(dl, "provenance", details("encoders, training, build, file hashes", provenance));
  } catch (e) {
    item(dl, "manifest", "not available: " + e.message);
  }
  card.append(dl);
  return card;
}

async function renderReports() {
  try {
    const res = await fetch("/v1/reports", { cache: "no-store" });
    const body = await res.json();
    const list = $("reports");
    if (!body.reports.length) {
      list.replaceChildren(Object.assign(document.createElement("li"), {
        textContent: body.note || "No report yet: write one with intent bench report RUN --out DIR/NAME." }));
      return;
    }
    list.replaceChildren(...body.reports.map(r => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = r.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = r.name || "report";
      li.append(a, ` \u00b7 ${new Date(r.modified_ms).toLocaleString()}`);
      return li;
    }));
  } catch (e) {
    // the stats poll reports the connection state
  }
}

/** The live region changes only with the state: a screen reader announces that, not every poll's time. */
function connection(state, text) {
  if ($("connection").dataset.state === state) return;
  $("connection").dataset.state = state;
  $("connection-state").textContent = text;
}

async function poll() {
  try {
    const res = await fetch("/v1/stats", { cache: "no-store" });
    const stats = await res.json();
    const prev = samples[samples.length - 1];
    // A restarted server counts from zero again: differences across it would be negative rates.
    if (prev && (prev.started_ms !== stats.started_ms || stats.requests.total < prev.requests.total)) samples.length = 0;
    samples.push(stats);
    // Keep one poll at or before the minute's start: the first interval's rates start there.
    while (samples.length > 2 && samples[1].time_ms <= stats.time_ms - HISTORY_MS) samples.shift();
    render();
    await renderModels(stats.models);
    connection("live", "Live:");
    $("connection").dataset.started = String(stats.started_ms); // which server run the charts show
    $("updated").textContent = `updated ${new Date(stats.time_ms).toLocaleTimeString()}`;
  } catch (e) {
    connection("down", "The server is not answering; the dashboard keeps trying every second.");
    $("updated").textContent = "";
  } finally {
    setTimeout(poll, 1000);
  }
}

$("model").addEventListener("change", () => $("chat").setAttribute("model", $("model").value));
poll();
renderReports();
setInterval(renderReports, 10000);
