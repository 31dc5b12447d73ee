// Tiny SVG charts for the dashboard: a line chart of a few series over time and a bar chart.
// No dependencies; every chart is an <svg role="img"> whose <title> states the latest values, and
// its container gets data-latest (JSON) so pages and tests can read what is drawn.
//
//   import { lineChart, barChart } from "/web/charts.js";
//   lineChart(document.getElementById("tput"), { unit: "/s", series: [{ name: "requests", values: [1, 4, 9] }] });
//   barChart(document.getElementById("batches"), { bars: [{ label: "1", value: 40 }, { label: "2", value: 3 }] });

const NS = "http://www.w3.org/2000/svg";
const W = 360, H = 150, LEFT = 44, RIGHT = 8, TOP = 8, BOTTOM = 22;
const RECENT = 5; // samples the legend looks back for a latest value

function svgEl(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text != null) e.textContent = text;
  return e;
}

/** A round upper bound for the y axis: 1, 2, 5 times a power of ten. */
export function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

export function format(v) {
  if (v == null || Number.isNaN(v)) return "\u2013";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function frame(container, label) {
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "chart", preserveAspectRatio: "none" });
  svg.append(svgEl("title", {}, label));
  container.replaceChildren(svg);
  return svg;
}

function yAxis(svg, max, unit) {
  for (let i = 0; i <= 2; i++) {
    const v = max * i / 2, y = TOP + (H - TOP - BOTTOM) * (1 - i / 2);
    svg.append(svgEl("line", { x1: LEFT, x2: W - RIGHT, y1: y, y2: y, class: "grid" }));
    svg.append(svgEl("text", { x: LEFT - 4, y: y + 4, "text-anchor": "end", class: "tick" }, format(v) + (i ? unit || "" : "")));
  }
}

/**
 * Series over time (oldest first); null values are gaps. spec: { unit, series: [{ name, values,
 * times }], maxGapMs, startMs, endMs }. With times (ms, one per value) a value is placed by its
 * time on an axis from startMs to endMs (by default the oldest and newest times of all series),
 * and values further than maxGapMs apart are not joined: polls that did not happen leave a gap,
 * not a line drawn through it. Without times the values are one second apart. The legend under
 * the chart gives each series' latest value.
 */
export function lineChart(container, spec) {
  const series = spec.series;
  const n = Math.max(2, ...series.map(s => s.values.length));
  // Positions in seconds: from the values' own times, or one per value ending at the newest.
  const times = series.flatMap(s => s.times || []);
  const end = spec.endMs ?? (times.length ? Math.max(...times) : 0);
  const start = spec.startMs ?? (times.length ? Math.min(...times) : 0);
  const span = times.length ? Math.max(1, (end - start) / 1000) : n - 1;
  const at = (s, i) => s.times ? (s.times[i] - start) / 1000 : i + (n - s.values.length);
  const joined = (s, i) => !s.times || !(spec.maxGapMs > 0) || s.times[i] - s.times[i - 1] <= spec.maxGapMs;
  const finite = series.flatMap(s => s.values.filter(v => v != null && Number.isFinite(v)));
  const max = niceMax(Math.max(0, ...finite));
  const latest = {};
  for (const s of series) {
    // The latest value of the last few samples: a gap longer than that (no traffic) is no value,
    // not the one from a minute ago.
    const last = s.values.slice(-RECENT).reverse().find(v => v != null);
    latest[s.name] = last == null ? null : last;
  }
  const label = (spec.title || "") + ": " + series.map(s => `${s.name} ${format(latest[s.name])}${spec.unit || ""}`).join(", ");
  const svg = frame(container, label);
  yAxis(svg, max, spec.unit);
  const x = sec => LEFT + (W - LEFT - RIGHT) * sec / span;
  const y = v => TOP + (H - TOP - BOTTOM) * (1 - v / max);
  series.forEach((s, k) => {
    let d = "";
    const missing = j => j < 0 || j >= s.values.length || s.values[j] == null || !Number.isFinite(s.values[j]);
    const startsRun = j => missing(j - 1) || !joined(s, j);
    s.values.forEach((v, i) => {
      if (missing(i)) return;
      d += (startsRun(i) ? "M" : "L") + x(at(s, i)).toFixed(1) + "," + y(v).toFixed(1);
      // A value alone between two gaps (one request now and then) is a dot: a round cap on a tiny segment.
      if (startsRun(i) && (missing(i + 1) || !joined(s, i + 1))) d += "h0.01";
    });
    svg.append(svgEl("path", { d, class: "line s" + k }));
  });
  svg.append(svgEl("text", { x: LEFT, y: H - 6, class: "tick" }, `last ${Math.round(span)} s`));
  const legend = document.createElement("ul");
  legend.className = "legend";
  series.forEach((s, k) => {
    const li = document.createElement("li");
    const key = document.createElement("span");
    key.className = "key s" + k;
    key.setAttribute("aria-hidden", "true");
    li.append(key, `${s.name} ${format(latest[s.name])}${spec.unit || ""}`);
    legend.append(li);
  });
  container.append(legend);
  container.dataset.latest = JSON.stringify(latest);
}

/** Bars with labels under them; spec: { unit, bars: [{ label, value }] }. */
export function barChart(container, spec) {
  const bars = spec.bars;
  const max = niceMax(Math.max(0, ...bars.map(b => b.value)));
  const label = (spec.title || "") + ": " + bars.map(b => `${b.label}: ${format(b.value)}`).join(", ");
  const svg = frame(container, label);
  yAxis(svg, max, spec.unit);
  const slot = (W - LEFT - RIGHT) / Math.max(1, bars.length);
  bars.forEach((b, i) => {
    const h = (H - TOP - BOTTOM) * (b.value / max);
    svg.append(svgEl("rect", { x: LEFT + i * slot + slot * 0.15, y: H - BOTTOM - h, width: slot * 0.7, height: Math.max(0, h), class: "bar" }));
    svg.append(svgEl("text", { x: LEFT + i * slot + slot / 2, y: H - 8, "text-anchor": "middle", class: "tick" }, b.label));
  });
  container.dataset.latest = JSON.stringify(Object.fromEntries(bars.map(b => [b.label, b.value])));
}
