// The live page: fetches /api/recent and /api/stats and draws them.
// Article text is untrusted: it only ever reaches the page through textContent and
// createTextNode, never as HTML; the server's Content-Security-Policy backs this up.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const TYPES = new Set(["PER", "ORG", "LOC", "MISC"]);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

// The body with each mention wrapped in <mark class="ent ent-TYPE">. Offsets count
// Unicode scalar values, so the text is split into code points first (JS strings
// index UTF-16 units). Overlapping or out-of-range mentions are skipped.
function highlighted(text, marks) {
  const chars = Array.from(text);
  const body = el("div", { class: "body" });
  let at = 0;
  for (const m of marks) {
    if (!(m.start >= at && m.end > m.start && m.end <= chars.length)) continue;
    if (m.start > at) body.append(document.createTextNode(chars.slice(at, m.start).join("")));
    const type = TYPES.has(m.type) ? m.type : "MISC";
    const mark = el("mark", { class: "ent ent-" + type, title: m.entity, "data-type": type });
    mark.append(document.createTextNode(chars.slice(m.start, m.end).join("")));
    mark.append(el("span", { class: "label" }, type));
    body.append(mark);
    at = m.end;
  }
  if (at < chars.length) body.append(document.createTextNode(chars.slice(at).join("")));
  return body;
}

function toneChip(tone) {
  if (tone === null || tone === undefined) return null;
  const cls = tone >= 0.05 ? "tone-pos" : tone <= -0.05 ? "tone-neg" : "";
  return el("span", { class: "chip " + cls, title: "VADER compound" }, "tone " + tone.toFixed(2));
}

function articleNode(a) {
  const meta = el("div", { class: "meta" });
  meta.append(el("span", {}, a.name), el("time", { datetime: a.processed_at }, a.processed_at.replace("T", " ").slice(0, 19)));
  const tone = toneChip(a.tone);
  if (tone) meta.append(tone);
  if (a.topic) meta.append(el("span", { class: "chip", title: "classifier label" }, a.topic));
  for (const t of a.topics) meta.append(el("span", { class: "chip", title: "taxonomy topic" }, t));
  if (a.priority !== null && a.priority !== undefined) {
    meta.append(el("span", { class: "chip" + (a.alert ? " alert" : "") }, (a.alert ? "alert " : "priority ") + a.priority.toFixed(2)));
  }
  if (a.duplicate_of) meta.append(el("span", { class: "chip", title: "near-duplicate of" }, "copy of " + a.duplicate_of.slice(0, 8)));
  return el("article", { "data-id": a.id }, el("h2", {}, a.title || a.name), meta, highlighted(a.text, a.marks));
}

function perMinuteChart(minutes) {
  const w = 540, h = 130, pad = 22;
  const max = Math.max(1, ...minutes.map((m) => m.n));
  const bw = (w - pad) / Math.max(1, minutes.length);
  const root = svg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": "articles per minute" });
  minutes.forEach((m, i) => {
    if (m.n === 0) return;
    const bh = ((h - 20) * m.n) / max;
    const bar = svg("rect", { class: "bar", x: pad + i * bw, y: h - 14 - bh, width: Math.max(1, bw - 0.5), height: bh });
    const tip = svg("title");
    tip.textContent = new Date(m.t * 1000).toISOString().slice(11, 16) + " UTC: " + m.n;
    bar.append(tip);
    root.append(bar);
  });
  const top = svg("text", { class: "axis", x: 0, y: 10 });
  top.textContent = String(max);
  const zero = svg("text", { class: "axis", x: 0, y: h - 14 });
  zero.textContent = "0";
  const left = svg("text", { class: "axis", x: pad, y: h - 1 });
  const right = svg("text", { class: "axis", x: w, y: h - 1, "text-anchor": "end" });
  if (minutes.length) {
    left.textContent = new Date(minutes[0].t * 1000).toISOString().slice(11, 16);
    right.textContent = new Date(minutes[minutes.length - 1].t * 1000).toISOString().slice(11, 16) + " UTC";
  }
  root.append(top, zero, left, right);
  return root;
}

function topEntitiesChart(entities) {
  if (!entities.length) return el("p", { class: "empty" }, "no entities yet");
  const w = 540, row = 18, label = 170;
  const h = entities.length * row + 4;
  const max = Math.max(1, ...entities.map((e) => e.count));
  const root = svg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": "top entities" });
  entities.forEach((e, i) => {
    const y = i * row + 2;
    const name = svg("text", { x: label - 6, y: y + 12, "text-anchor": "end" });
    name.textContent = e.text.length > 26 ? e.text.slice(0, 25) + "…" : e.text;
    const type = TYPES.has(e.type) ? e.type : "MISC";
    const bw = ((w - label - 40) * e.count) / max;
    const bar = svg("rect", { class: "bar-" + type, x: label, y: y + 2, width: Math.max(1, bw), height: row - 5 });
    const tip = svg("title");
    tip.textContent = `${e.text} (${type}): ${e.count} articles`;
    bar.append(tip);
    const n = svg("text", { class: "axis", x: label + bw + 4, y: y + 12 });
    n.textContent = `${e.count} ${type}`;
    root.append(name, bar, n);
  });
  return root;
}

async function getJson(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.json();
}

async function refresh() {
  try {
    const [recent, stats] = await Promise.all([getJson("/api/recent"), getJson("/api/stats")]);
    const t = stats.totals;
    document.getElementById("summary").textContent =
      `${t.processed} processed · ${t.failed} failed · ${t.duplicates} duplicates · ${t.alerts} alerts · ` +
      (stats.ready ? "ready" : "not ready") + ` · v${stats.version}`;
    document.getElementById("hours").textContent = String(stats.hours);
    document.getElementById("per-minute").replaceChildren(perMinuteChart(stats.minutes));
    document.getElementById("top-entities").replaceChildren(topEntitiesChart(stats.top_entities));
    const list = document.getElementById("articles");
    list.replaceChildren(...(recent.length ? recent.map(articleNode) : [el("p", { class: "empty" }, "no articles yet")]));
    document.body.dataset.loaded = "1";
  } catch (e) {
    document.getElementById("summary").textContent = "cannot reach newsd: " + e.message;
  }
}

refresh();
setInterval(refresh, 5000);
