// The Train screen's live panel (ui/step_panel.py mounts it; Streamlit serves this file from static/,
// so the browser fetches it once, by version). Each click brings one blob of what changed
// (ui/step_payload.py); the panel keeps what it was sent, merges the changes (panel_kit.receive) and
// draws everything from numbers. This file holds the panel itself: the position line, the buttons,
// the sample, the losses and A2 as bars; its other parts are methods it gathers from beside it:
// static/step_timeline.js (the timeline, keys B and F), static/step_curves.js (the loss and accuracy
// curves, computed from the history's bins exactly as ui/figures.training_curves does) and
// static/step_update.js (ΔW1's tiles). Their events go back to Python.
// Every word comes translated from Python; numbers a reader reads are formatted there too, except
// the curves' axes and hover values, written here with the language's decimal sign.
// window.__stepPanel exposes what was drawn (the curves' points, the blob's size) for tests and benchmarks.

const version = new URL(import.meta.url).search;  // "?v=…": what this file's neighbours are fetched with
const near = (name) => import(new URL(`${name}${version}`, import.meta.url));
const [kit, {timeline}, {curves}, {update}] = await Promise.all(
  ["panel_kit.js", "step_timeline.js", "step_curves.js", "step_update.js"].map(near));
const {AXIS, BLUE, GRID, RED, count, element, fill, fixed, inline, show, svgNode, ticks} = kit;

let current = null;  // the panel on screen: keys B and F go to it

export default async function (component) {
  const panel = await kit.mounted(component, "step_panel.css", "__stepPanel", (host) => new Panel(host));
  if (!panel) return;
  current = panel;
  panel.receive(component.data);
}

class Panel {
  constructor(host) {
    this.host = host;
    Object.assign(this, kit.held());
    this.hover = null;
    this.root = element("div", "sp");
    host.appendChild(this.root);
    this.build();
    this.lastWidth = 0;
    new ResizeObserver(() => {
      if (Math.abs(this.root.clientWidth - this.lastWidth) > 1 && this.serial !== null) this.render();
    }).observe(this.root);
    window.__stepPanel = window.__stepPanel || {};
    if (!window.__stepPanelKeys) {
      window.__stepPanelKeys = true;
      document.addEventListener("keydown", (event) => current && current.key(event));
    }
  }

  send(name, value) {
    if (this.trigger) this.trigger(name, value);
  }

  act(kind, extra = {}) {
    this.send("action", {kind, ...extra, at: performance.now()});
  }

  explain(name) {
    if (this.fields.explain) this.send("explain", name);
  }

  // --- receiving ----------------------------------------------------------------------------

  receive(bytes) {
    const blob = kit.receive(this, bytes, (serial) => this.send("resync", serial));
    if (!blob) return;
    Object.assign(window.__stepPanel, {serial: this.serial, bytes: blob.size, full: blob.full, fields: this.fields});
    this.render();
  }

  // --- the page's parts, built once ---------------------------------------------------------

  build() {
    const r = this.root;
    this.progress = element("div", "sp-progress");
    this.progressText = element("p", "sp-caption");
    this.progressBar = element("div", "sp-bar");
    this.progressBar.setAttribute("role", "progressbar");
    this.progressFill = element("div", "sp-fill");
    this.progressBar.appendChild(this.progressFill);
    this.progress.append(this.progressText, this.progressBar);
    this.viewing = element("div", "sp-note sp-viewing");
    this.viewing.setAttribute("role", "status");
    this.position = element("h4", "sp-position");
    this.controls = element("div", "sp-row sp-controls");
    this.buttons = {};
    for (const [name, kind, extra, primary] of [["step", "step", {n: 1}, true], ["step_10", "step", {n: 10}],
                                                ["step_100", "step", {n: 100}], ["epoch", "epoch", {}],
                                                ["reset", "reset", {}], ["stop", "stop", {}]]) {
      const button = this.button(name, () => this.act(kind, extra), primary);
      this.buttons[name] = button;
      this.controls.appendChild(button);
    }
    this.timeline = this.buildTimeline();
    this.timelineError = element("p", "sp-caption");
    this.notice = element("div", "sp-note");
    this.step = element("div", "sp-step");
    this.left = element("div", "sp-left");
    this.sampleBox = element("figure", "sp-sample");
    this.sample = element("canvas");
    this.sample.setAttribute("role", "img");
    this.sample.width = this.sample.height = 112;
    this.sample.addEventListener("click", (event) => this.sampleAt(event));
    this.sampleCaption = element("figcaption", "sp-caption");
    this.sampleBox.append(this.sample, this.sampleCaption);
    this.metrics = element("div", "sp-metrics");
    this.before = this.metric("loss");  // the step's loss, as core/model/explain.py names it
    this.after = this.metric(null);  // after the update: no value of the step to explain
    this.metrics.append(this.before.box, this.after.box);
    this.left.append(this.sampleBox, this.metrics);
    this.charts = element("div", "sp-charts");
    this.bars = svgNode("svg", {class: "sp-chart sp-bars", role: "img"});
    this.curves = svgNode("svg", {class: "sp-chart sp-curves", role: "img", tabindex: "0"});
    this.curves.addEventListener("mousemove", (event) => this.pointAt(event));
    this.curves.addEventListener("mouseleave", () => { this.hover = null; this.drawHover(); });
    this.curves.addEventListener("keydown", (event) => this.curveKey(event));
    this.curves.addEventListener("blur", () => { this.hover = null; this.drawHover(); });
    this.tooltip = element("div", "sp-tooltip");
    this.tooltip.setAttribute("aria-live", "polite");
    this.chartsCurves = element("div", "sp-curves-box");
    this.chartsCurves.append(this.curves, this.tooltip);
    this.charts.append(this.bars, this.chartsCurves);
    this.step.append(this.left, this.charts);
    this.windowText = element("p", "sp-caption");
    this.update = element("div", "sp-update");
    this.updateHeader = element("p", "sp-text");
    this.tiles = element("canvas", "sp-tiles");
    this.tiles.setAttribute("role", "img");
    this.tiles.addEventListener("click", (event) => this.tileAt(event));
    this.strip = element("div", "sp-strip-scale");
    this.updateCaption = element("p", "sp-caption");
    this.update.append(this.updateHeader, this.tiles, this.strip, this.updateCaption);
    this.silent = element("p", "sp-caption");
    r.append(this.progress, this.viewing, this.position, this.controls, this.timeline.box, this.timelineError,
             this.notice, this.step, this.windowText, this.update, this.silent);
  }

  button(name, onclick, primary = false) {
    const button = element("button", primary ? "sp-button sp-primary" : "sp-button");
    button.type = "button";
    button.dataset.name = name;
    button.addEventListener("click", onclick);
    return button;
  }

  metric(name) {
    const box = element("div", "sp-metric");
    const label = element("div", "sp-metric-label");
    const value = element("div", "sp-metric-value");
    if (name) value.addEventListener("click", () => this.explain(name));
    const delta = element("div", "sp-metric-delta");
    box.append(label, value, delta);
    return {box, label, value, delta, name};
  }

  // Digits in the language's signs: an integer with thousands separators, or a fixed number of decimals.
  count(value) {
    return count(value, this.fields.separators);
  }

  fixed(value, digits) {
    return fixed(value, digits, this.fields.separators);
  }

  // --- drawing ------------------------------------------------------------------------------

  render() {
    const f = this.fields, t = f.text;
    this.asked = null;
    this.lastWidth = this.root.clientWidth;
    this.root.dataset.mode = f.mode;
    show(this.progress, !!f.progress);
    if (f.progress) {
      this.progressText.textContent = f.progress.text;
      this.progressFill.style.width = `${(100 * f.progress.fraction).toFixed(2)}%`;
      this.progressBar.setAttribute("aria-valuenow", Math.round(100 * f.progress.fraction));
      this.progressBar.setAttribute("aria-label", f.progress.text);
    }
    show(this.viewing, !!f.viewing);
    this.viewing.innerHTML = inline(f.viewing);
    this.position.innerHTML = inline(f.position);
    show(this.controls, f.controls);
    for (const [name, button] of Object.entries(this.buttons)) button.textContent = t[name];
    show(this.buttons.stop, f.mode === "running");
    this.renderTimeline();
    show(this.timelineError, !!f.timeline_error);
    this.timelineError.textContent = f.timeline_error || "";
    show(this.notice, !!f.notice);
    this.notice.innerHTML = inline(f.notice);
    const record = !!this.arrays.A2 && f.record_step !== undefined;
    show(this.step, record || f.curves);
    this.step.classList.toggle("sp-curves-only", !record);
    show(this.left, record);
    show(this.bars, record);
    show(this.chartsCurves, !!f.curves);
    if (record) { this.drawSample(); this.drawMetrics(); this.drawBars(); }
    if (f.curves) this.drawCurves();
    show(this.windowText, !!f.window_text);
    this.windowText.textContent = f.window_text || "";
    show(this.update, record);
    if (record) this.drawUpdate();
    show(this.silent, !!f.silent_caption);
    this.silent.innerHTML = inline(f.silent_caption);
  }

  drawSample() {
    const pixels = this.arrays.pixels, context = this.sample.getContext("2d");
    const image = context.createImageData(112, 112);
    for (let y = 0; y < 112; y++) {
      for (let x = 0; x < 112; x++) {
        const value = pixels[(y >> 2) * 28 + (x >> 2)], at = 4 * (y * 112 + x);
        image.data[at] = image.data[at + 1] = image.data[at + 2] = value;
        image.data[at + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
    this.sample.setAttribute("aria-label", this.fields.sample_alt);
    this.sampleCaption.textContent = this.fields.sample_caption;
  }

  drawMetrics() {
    const f = this.fields, t = f.text;
    for (const [part, name] of [[this.before, "loss_before"], [this.after, "loss_after"]]) {
      part.label.textContent = t[name];
      part.label.title = t[`${name}_help`];
      part.value.textContent = f[name];
      part.value.title = t[`${name}_help`];
    }
    const delta = f.loss_delta, falling = delta.startsWith("-") || delta.startsWith("−");
    this.before.delta.textContent = "";
    this.after.delta.textContent = `${falling ? "▼" : "▲"} ${delta}`;
    this.after.delta.dataset.colour = f.delta_colour === "off" ? "off" : falling ? "good" : "bad";
  }

  // A2 as ten bars, the predicted digit in vermillion, each bar's value above it.
  drawBars() {
    const f = this.fields, t = f.text, A2 = this.arrays.A2, svg = this.bars;
    const width = Math.max(200, svg.parentElement.clientWidth > 0 ? svg.clientWidth || 200 : 200);
    const height = this.phone() ? 240 : 300;
    const m = {l: 46, r: 8, t: 34, b: 40};
    const plotW = width - m.l - m.r, plotH = height - m.t - m.b;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("height", height);
    svg.setAttribute("aria-label", f.bars_alt);
    const y = (v) => m.t + plotH * (1 - v / 1.2);
    const nodes = [svgNode("text", {x: 0, y: 14, class: "sp-title"}, f.bars_title)];
    for (const v of ticks(0, 1.2, 6)) {
      nodes.push(svgNode("line", {x1: m.l, x2: width - m.r, y1: y(v), y2: y(v), stroke: GRID}));
      nodes.push(svgNode("text", {x: m.l - 6, y: y(v) + 4, "text-anchor": "end"}, this.fixed(v, 1)));
    }
    const slot = plotW / 10;
    for (let digit = 0; digit < 10; digit++) {
      const x = m.l + slot * digit + slot * 0.1, barW = slot * 0.8, top = y(A2[digit]);
      const bar = svgNode("rect", {x, y: top, width: barW, height: Math.max(0, y(0) - top),
                                   fill: digit === f.prediction ? RED : BLUE, class: "sp-bar-rect"});
      const words = fill(t.bar, {digit, value: f.A2_hover[digit]});
      bar.appendChild(svgNode("title", {}, words));
      bar.addEventListener("click", () => this.explain(`A2_${digit}`));
      if (f.explain) {  // a button for the keyboard too, only when something listens
        bar.setAttribute("tabindex", "0");
        bar.setAttribute("role", "button");
        bar.setAttribute("aria-label", words);
        bar.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); this.explain(`A2_${digit}`); }
        });
      }
      nodes.push(bar);
      // upright above the bar where it fits, else turned a quarter so neighbours' values never overlap
      nodes.push(slot >= 26
        ? svgNode("text", {x: x + barW / 2, y: top - 4, "text-anchor": "middle", class: "sp-bar-value"}, f.A2_text[digit])
        : svgNode("text", {x: x + barW / 2 + 4, y: top - 3, transform: `rotate(-90 ${x + barW / 2 + 4} ${top - 3})`,
                           class: "sp-bar-value"}, f.A2_text[digit]));
      nodes.push(svgNode("text", {x: x + barW / 2, y: y(0) + 15, "text-anchor": "middle"}, String(digit)));
    }
    nodes.push(svgNode("line", {x1: m.l, x2: width - m.r, y1: y(0), y2: y(0), stroke: AXIS}));
    nodes.push(svgNode("text", {x: m.l + plotW / 2, y: height - 4, "text-anchor": "middle"}, t.digit));
    nodes.push(svgNode("text", {x: 12, y: m.t + plotH / 2, "text-anchor": "middle",
                                transform: `rotate(-90 12 ${m.t + plotH / 2})`}, t.probability));
    svg.replaceChildren(...nodes);
  }

  phone() {
    return this.root.clientWidth < 560;
  }

  sampleAt(event) {
    const box = this.sample.getBoundingClientRect();
    const column = Math.floor((event.clientX - box.left) * 28 / box.width);
    const row = Math.floor((event.clientY - box.top) * 28 / box.height);
    if (column >= 0 && column < 28 && row >= 0 && row < 28) this.explain(`x_${row * 28 + column + 1}`);
  }
}

Object.assign(Panel.prototype, timeline, curves, update);
