// The Train screen's live panel (ui/step_panel.py mounts it; Streamlit serves this file from static/,
// so the browser fetches it once). Each click brings one blob of what changed (ui/step_payload.py:
// a 4-byte header length, a JSON header, 8-byte aligned arrays); the panel keeps what it was sent,
// merges the changes and draws everything from numbers: the position line, the buttons and the
// timeline (its events go back to Python), the sample, A2 as bars, the loss and accuracy curves
// (computed here from the history's bins exactly as ui/figures.training_curves does), ΔW1's tiles.
// Every word comes translated from Python; numbers a reader reads are formatted there too, except
// the curves' axes and hover values, written here with the language's decimal sign.
// The Compare panel (static/compare_panel.js) imports the helpers marked `export`.
// window.__stepPanel exposes what was drawn (the curves' points, the blob's size) for tests and benchmarks.

const TEXT = "#3b3b3b";       // figures.FONT_COLOUR: 4.5:1 on white and more
const GRID = "#e3e3e3";
const AXIS = "#8a8a8a";
const BLUE = "#0072B2";       // figures.VALUE: a plain value, and the loss
const RED = "#D55E00";        // figures.PREDICTED: the predicted digit
const GREEN = "#009E73";      // figures.ACCURACY
const EPOCH_LINE = "#999999";
const VIEWED = "#E69F00";
const GREYED = [200, 200, 200];  // figures.GREYED: a unit whose update is exactly zero
const FONT = "12px 'Source Sans Pro', 'Source Sans 3', sans-serif";
const SVG = "http://www.w3.org/2000/svg";

let current = null;  // the panel on screen: keys B and F go to it

export default function (component, cssUrl) {
  const { data, parentElement, setTriggerValue } = component;
  stylesheet(cssUrl);
  if (!data) return;
  const panel = parentElement.__stepPanel || (parentElement.__stepPanel = new Panel(parentElement));
  panel.trigger = setTriggerValue;
  current = panel;
  panel.receive(data);
}

export function stylesheet(url) {
  if (document.querySelector(`link[data-step-panel="${url}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = url;
  link.dataset.stepPanel = url;
  document.head.appendChild(link);
}

export function decode(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  const start = 4 + length;
  const arrays = {};
  for (const [name, [offset, dtype, count]] of Object.entries(header.blocks)) {
    // a copy: a typed array's view needs an offset aligned to its element size in the underlying buffer
    const slice = bytes.slice(start + offset, start + offset + count * {uint8: 1, int32: 4, float64: 8}[dtype]);
    arrays[name] = dtype === "uint8" ? slice : dtype === "int32" ? new Int32Array(slice.buffer) : new Float64Array(slice.buffer);
  }
  return {header, arrays, size: bytes.byteLength};
}

// --- words and numbers -------------------------------------------------------------------------

export function fill(template, fields = {}) {
  return (template ?? "").replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? String(fields[name]) : whole));
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

// The little markdown the panel's sentences use: **bold** and `code`.
function inline(text) {
  return escapeHtml(text ?? "").replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>").replace(/`([^`]+)`/g, "<code>$1</code>");
}

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function svgNode(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- the curves: ui/figures.training_curves, step for step -----------------------------------

export function trainingCurves(bins, width, minWindow, maxPoints) {
  const filled = [];
  let steps = 0;
  for (let i = 0; i < bins.length; i++) if (bins[i][2] > 0) { filled.push(i); steps += bins[i][2]; }
  const windowBins = Math.max(1, Math.ceil(Math.max(minWindow, Math.floor(steps / 40)) / width));
  const n = filled.length;
  const loss = new Float64Array(n), right = new Float64Array(n), counts = new Float64Array(n);
  let sumLoss = 0, sumRight = 0, sumCount = 0;
  for (let j = 0; j < n; j++) {  // cumulative sums, then minus the sums windowBins points earlier (numpy's order)
    const row = bins[filled[j]];
    loss[j] = sumLoss += row[0]; right[j] = sumRight += row[1]; counts[j] = sumCount += row[2];
  }
  for (let j = n - 1; j >= windowBins; j--) {
    loss[j] -= loss[j - windowBins]; right[j] -= right[j - windowBins]; counts[j] -= counts[j - windowBins];
  }
  const stride = Math.max(1, Math.ceil(n / maxPoints));
  const keep = [];
  for (let j = n - 1; j >= 0; j -= stride) keep.push(j);
  keep.reverse();
  return {
    steps: keep.map((j) => filled[j] * width + bins[filled[j]][2]),
    loss: keep.map((j) => loss[j] / counts[j]),
    accuracy: keep.map((j) => right[j] / counts[j]),
    window: windowBins * width,
  };
}

// The bins held (rows of `info.columns` sums, `width` steps each) with a blob's bins merged in:
// pairs summed as the server's were when it doubled their width, then rows from `info.from` replaced.
export function mergedBins(bins, width, info, rows) {
  const columns = info.columns || 3;
  if (info.from === 0) { bins = []; width = info.width; }
  while (width < info.width) {
    const merged = [];
    for (let i = 0; i < bins.length; i += 2) {
      const b = bins[i + 1];
      merged.push(b ? bins[i].map((value, column) => value + b[column]) : bins[i].slice());
    }
    bins = merged;
    width *= 2;
  }
  bins.length = Math.min(bins.length, info.from);
  for (let i = 0; i < rows.length; i += columns) bins.push(Array.from(rows.subarray(i, i + columns)));
  return [bins, width];
}

// Round tick values from low to high, about `count` of them; `decimals`: what writing them needs.
export function ticks(low, high, count, integer = false) {
  if (!(high > low)) return Object.assign([low], {decimals: 0});
  const raw = integer ? Math.max(1, (high - low) / count) : (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const values = [];
  for (let i = Math.ceil(low / step - 1e-9); i * step <= high + 1e-9 * step; i++) values.push(+(i * step).toPrecision(12));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (String(step / power).includes(".") ? 1 : 0));
  return Object.assign(values, {decimals});
}

class Panel {
  constructor(host) {
    this.host = host;
    this.serial = null;
    this.fields = {};
    this.arrays = {};
    this.bins = [];
    this.width = 1;
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
    const {header, arrays, size} = decode(bytes);
    if (header.serial === this.serial) return;  // the same blob again (a redraw of Streamlit's own)
    if (header.base !== null && header.base !== this.serial) {
      this.send("resync", header.serial);  // a blob was missed (or this panel is new): ask for everything
      return;
    }
    if (header.base === null) { this.fields = {}; this.arrays = {}; }
    for (const [name, value] of Object.entries(header.fields)) {
      if (value === null) delete this.fields[name]; else this.fields[name] = value;
    }
    for (const name of header.removed) delete this.arrays[name];
    for (const [name, array] of Object.entries(arrays)) if (name !== "bins") this.arrays[name] = array;
    this.mergeBins(header.bins, arrays.bins);
    this.serial = header.serial;
    Object.assign(window.__stepPanel, {serial: this.serial, bytes: size, full: header.base === null,
                                       fields: this.fields});
    this.render();
  }

  // The history's bins: merged in pairs as the server's were when it doubled their width, then the
  // changed ones replaced (ui/step_payload.py says which).
  mergeBins(info, rows) {
    [this.bins, this.width] = mergedBins(this.bins, this.width, info, rows);
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

  buildTimeline() {
    const box = element("div", "sp-timeline");
    const label = element("label", "sp-label");
    const title = element("span");
    const value = element("span", "sp-slider-value");
    label.append(title, value);
    const slider = element("input", "sp-slider");
    slider.type = "range";
    slider.addEventListener("input", () => {
      value.textContent = fill(this.fields.text.step_value, {step: this.count(Number(slider.value))});
    });
    slider.addEventListener("change", () => this.goTo(Number(slider.value)));
    const strip = element("div", "sp-strip");
    strip.setAttribute("aria-hidden", "true");
    const row = element("div", "sp-row");
    // A text box, not type="number": a number box shows 89016 with no thousands separator in any language, where
    // every other step on the screen reads 89,016 (Greek 89.016). Any separator typed is ignored, so "89016",
    // "89,016" and "89.016" all go to step 89016.
    const goto = element("input", "sp-goto");
    goto.type = "text";
    goto.inputMode = "numeric";
    const typed = () => { const digits = goto.value.replace(/\D/g, ""); return digits ? Number(digits) : NaN; };
    goto.addEventListener("keydown", (event) => { if (event.key === "Enter") this.goTo(typed()); });
    goto.addEventListener("change", () => this.goTo(typed()));
    const back = this.button("back", () => this.goTo(this.fields.timeline.shown - 1));
    back.textContent = "◀";
    const forward = this.button("forward", () => this.goTo(this.fields.timeline.shown + 1));
    forward.textContent = "▶";
    const now = this.button("now", () => this.act("now"), true);
    const marks = element("span", "sp-caption sp-marks");
    row.append(goto, back, forward, now, marks);
    box.append(label, slider, strip, row);
    return {box, title, value, slider, strip, goto, back, forward, now, marks};
  }

  goTo(step) {
    const timeline = this.fields.timeline;
    if (!timeline || !Number.isFinite(step)) return;
    step = Math.min(Math.max(Math.round(step), timeline.first), timeline.last);
    if (step === this.asked) return;  // Enter, then the change event of the same number
    this.asked = step;
    this.act("goto", {step});
  }

  key(event) {
    const timeline = this.fields.timeline;
    if (!timeline || !this.root.isConnected || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const key = event.key.toLowerCase();
    if (key === "b" && timeline.shown > timeline.first) this.goTo(timeline.shown - 1);
    else if (key === "f" && timeline.shown < timeline.last) this.goTo(timeline.shown + 1);
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

  renderTimeline() {
    const tl = this.fields.timeline, t = this.fields.text, parts = this.timeline;
    show(parts.box, !!tl);
    if (!tl) return;
    parts.title.textContent = t.timeline;
    parts.title.title = t.timeline_help;
    parts.value.textContent = tl.shown_text;
    Object.assign(parts.slider, {min: tl.first, max: tl.last});
    parts.slider.value = tl.shown;
    parts.slider.setAttribute("aria-label", t.timeline);
    parts.slider.setAttribute("aria-valuetext", tl.shown_text);
    parts.slider.title = t.timeline_help;
    parts.goto.value = this.count(tl.shown);
    parts.goto.setAttribute("aria-label", t.goto);
    parts.back.title = t.back;
    parts.back.disabled = tl.shown === tl.first;
    parts.forward.title = t.forward;
    parts.forward.disabled = tl.shown === tl.last;
    parts.now.textContent = t.now;
    show(parts.now, this.fields.mode === "past");
    parts.marks.textContent = tl.marks || "";
    const left = (step) => `${(100 * (step - tl.first) / (tl.last - tl.first)).toFixed(3)}%`;
    parts.strip.replaceChildren(
      ...tl.ticks.flatMap(([step, title, label]) => {
        const line = element("div", "sp-tick");
        line.style.left = left(step);
        line.title = title;
        const word = element("div", "sp-tick-label", label);
        word.style.left = left(step);
        return [line, word];
      }),
      ...tl.dots.map(([step, title]) => {
        const dot = element("div", "sp-dot");
        dot.style.left = left(step);
        dot.title = title;
        return dot;
      }));
    show(parts.strip, tl.ticks.length + tl.dots.length > 0);
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

  // The loss above, the training accuracy below, one step axis; epoch ends dotted, a viewed step solid.
  drawCurves() {
    const f = this.fields, t = f.text, svg = this.curves;
    const c = this.curve = trainingCurves(this.bins, this.width, f.window_min, f.curve_points);
    window.__stepPanel.curves = c;
    const width = Math.max(240, this.curves.clientWidth || 240);
    const height = this.phone() ? 330 : 300;
    const m = {l: 52, r: 14, b: 40};
    const loss = {top: 30, bottom: height * 0.45};
    const accuracy = {top: height * 0.45 + 40, bottom: height - m.b};
    const last = Math.max(1, ...c.steps, ...f.tests.map((p) => p[0]), f.viewed ?? 0);
    const xTicks = ticks(0, last, this.phone() ? 4 : 5, true);
    const xMax = Math.max(last, xTicks[xTicks.length - 1]);
    const x = (step) => m.l + (width - m.l - m.r) * step / xMax;
    const lossMax = Math.max(1e-9, ...c.loss) * 1.05;
    const yLoss = (v) => loss.bottom - (loss.bottom - loss.top) * v / lossMax;
    const yAcc = (v) => accuracy.bottom - (accuracy.bottom - accuracy.top) * v / 1.05;
    this.scales = {x, yLoss, yAcc, m, width, height, loss, accuracy};
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("height", height);
    const latest = c.steps.length - 1;
    svg.setAttribute("aria-label", fill(t.curves_alt, {
      steps: this.count(last), loss: latest >= 0 ? this.fixed(c.loss[latest], 4) : "–",
      accuracy: latest >= 0 ? this.percent(c.accuracy[latest]) : "–"}) + ". " + t.curves_keys);
    const nodes = [];
    const title = (y, colour, words) => {
      const text = svgNode("text", {x: 0, y, class: "sp-title"});
      text.append(svgNode("tspan", {fill: colour}, "━━ "), svgNode("tspan", {}, words));
      return text;
    };
    nodes.push(title(loss.top - 12, BLUE, t.loss_title));
    nodes.push(title(accuracy.top - 12, GREEN, t.accuracy_title + (f.tests.length ? t.test_note : "")));
    const lossTicks = ticks(0, lossMax, 3);
    for (const v of lossTicks) {
      nodes.push(svgNode("line", {x1: m.l, x2: width - m.r, y1: yLoss(v), y2: yLoss(v), stroke: GRID}));
      nodes.push(svgNode("text", {x: m.l - 6, y: yLoss(v) + 4, "text-anchor": "end"}, this.fixed(v, lossTicks.decimals)));
    }
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      nodes.push(svgNode("line", {x1: m.l, x2: width - m.r, y1: yAcc(v), y2: yAcc(v), stroke: GRID}));
      nodes.push(svgNode("text", {x: m.l - 6, y: yAcc(v) + 4, "text-anchor": "end"}, `${Math.round(100 * v)}%`));
    }
    for (const v of xTicks) {
      nodes.push(svgNode("text", {x: x(v), y: accuracy.bottom + 15, "text-anchor": "middle"}, this.count(v)));
    }
    for (const [panel, name] of [[loss, "loss"], [accuracy, "accuracy"]]) {
      nodes.push(svgNode("rect", {x: m.l, y: panel.top, width: width - m.l - m.r, height: panel.bottom - panel.top,
                                  fill: "none", class: `sp-plot-${name}`}));
      nodes.push(svgNode("line", {x1: m.l, x2: width - m.r, y1: panel.bottom, y2: panel.bottom, stroke: AXIS}));
    }
    nodes.push(svgNode("text", {x: m.l + (width - m.l - m.r) / 2, y: height - 4, "text-anchor": "middle"}, t.axis_step));
    for (const [panel, words] of [[loss, t.axis_loss], [accuracy, t.axis_accuracy]]) {
      const middle = (panel.top + panel.bottom) / 2;
      nodes.push(svgNode("text", {x: 11, y: middle, "text-anchor": "middle", transform: `rotate(-90 11 ${middle})`}, words));
    }
    const lines = f.tests.map((p) => [p[0], EPOCH_LINE, "2 3", 1]);
    if (f.viewed !== null && f.viewed !== undefined) lines.push([f.viewed, VIEWED, "", 2]);
    for (const [step, colour, dash, strokeWidth] of lines) {
      nodes.push(svgNode("line", {x1: x(step), x2: x(step), y1: loss.top, y2: accuracy.bottom, stroke: colour,
                                  "stroke-dasharray": dash, "stroke-width": strokeWidth}));
    }
    const path = (values, y) => values.map((v, i) => `${i ? "L" : "M"}${x(c.steps[i]).toFixed(1)},${y(v).toFixed(1)}`).join("");
    nodes.push(svgNode("path", {d: path(c.loss, yLoss), fill: "none", stroke: BLUE, "stroke-width": 2}));
    nodes.push(svgNode("path", {d: path(c.accuracy, yAcc), fill: "none", stroke: GREEN, "stroke-width": 2}));
    if (latest >= 0) {  // the newest point, seen even when it is the only one (after one step)
      nodes.push(svgNode("circle", {cx: x(c.steps[latest]), cy: yLoss(c.loss[latest]), r: 3, fill: BLUE}));
      nodes.push(svgNode("circle", {cx: x(c.steps[latest]), cy: yAcc(c.accuracy[latest]), r: 3, fill: GREEN}));
    }
    for (const [step, value, words] of f.tests) {
      const cx = x(step), cy = yAcc(value);
      const diamond = svgNode("path", {d: `M${cx},${cy - 5}L${cx + 5},${cy}L${cx},${cy + 5}L${cx - 5},${cy}Z`, fill: "black"});
      diamond.appendChild(svgNode("title", {}, fill(t.hover_test, {value: this.percent(value), step: this.count(step)})));
      nodes.push(diamond, svgNode("text", {x: cx - 6, y: cy + 16, "text-anchor": "end"}, words));
    }
    this.hoverLayer = svgNode("g", {class: "sp-hover"});
    nodes.push(this.hoverLayer);
    svg.replaceChildren(...nodes);
    if (this.hover !== null) this.hover = Math.min(this.hover, latest);
    this.drawHover();
  }

  // locales.percent: an accuracy written the one way the app writes it (two decimals: "89.98%", Greek "89,98%")
  percent(value) {
    return `${this.fixed(100 * value, this.fields.percent_digits ?? 2)}%`;
  }

  pointAt(event) {
    if (!this.curve || !this.curve.steps.length) return;
    const box = this.curves.getBoundingClientRect();
    const at = (event.clientX - box.left) * this.scales.width / box.width;
    let best = 0;
    this.curve.steps.forEach((step, i) => {
      if (Math.abs(this.scales.x(step) - at) < Math.abs(this.scales.x(this.curve.steps[best]) - at)) best = i;
    });
    this.hover = best;
    this.drawHover();
  }

  curveKey(event) {
    if (!this.curve || !this.curve.steps.length) return;
    const moves = {ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity};
    if (!(event.key in moves)) return;
    event.preventDefault();
    const last = this.curve.steps.length - 1;
    this.hover = Math.min(last, Math.max(0, (this.hover ?? last + (moves[event.key] < 0 ? 1 : 0)) + moves[event.key]));
    this.drawHover();
  }

  drawHover() {
    const layer = this.hoverLayer, t = this.fields.text;
    if (!layer) return;
    if (this.hover === null || !this.curve || this.curve.steps[this.hover] === undefined) {
      layer.replaceChildren();
      this.tooltip.textContent = "";
      this.tooltip.style.visibility = "hidden";
      return;
    }
    const i = this.hover, c = this.curve, s = this.scales, step = c.steps[i];
    layer.replaceChildren(
      svgNode("line", {x1: s.x(step), x2: s.x(step), y1: s.loss.top, y2: s.accuracy.bottom, stroke: TEXT, "stroke-width": 1}),
      svgNode("circle", {cx: s.x(step), cy: s.yLoss(c.loss[i]), r: 4, fill: BLUE, stroke: "white"}),
      svgNode("circle", {cx: s.x(step), cy: s.yAcc(c.accuracy[i]), r: 4, fill: GREEN, stroke: "white"}));
    const lines = [fill(t.hover_loss, {value: this.fixed(c.loss[i], 4), step: this.count(step)}),
                   fill(t.hover_accuracy, {value: this.percent(c.accuracy[i]), step: this.count(step)})];
    this.tooltip.replaceChildren(...lines.map((line) => element("div", "", line)));
    this.tooltip.style.visibility = "visible";
    const box = this.curves.getBoundingClientRect(), ratio = box.width / s.width;
    const left = s.x(step) * ratio;
    this.tooltip.style.left = `${Math.min(left + 8, Math.max(0, box.width - this.tooltip.offsetWidth))}px`;
    this.tooltip.style.top = `${s.loss.top * ratio}px`;
  }

  // ΔW1 = −α·x·dZ1ᵀ: column k of the update is x times factor k; each unit's 28×28 tile, labelled.
  drawUpdate() {
    const f = this.fields, canvas = this.tiles;
    this.updateHeader.innerHTML = inline(f.text.dW1_header);
    const factor = this.arrays.dW1_factor, hidden = factor.length;
    const x = this.arrays.x || Float64Array.from(this.arrays.pixels, (p) => p / 255);
    const available = Math.max(200, this.update.clientWidth || 600);
    const columns = Math.min(hidden, available < 560 ? 5 : 10);
    const gap = 6, labelHeight = 30;
    const side = Math.min(84, Math.floor((available - gap * (columns - 1)) / columns));
    const rows = Math.ceil(hidden / columns);
    const width = columns * side + (columns - 1) * gap, height = rows * (labelHeight + side + gap);
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    context.imageSmoothingEnabled = false;
    const limit = f.dW1_limit || 1;
    const tile = document.createElement("canvas");
    tile.width = tile.height = 28;
    const tileContext = tile.getContext("2d"), image = tileContext.createImageData(28, 28);
    this.tileBoxes = [];
    for (let k = 0; k < hidden; k++) {
      for (let p = 0; p < 784; p++) {
        const colour = f.unchanged[k] ? GREYED : diverging(x[p] * factor[k] / limit);
        image.data.set(colour, 4 * p);
        image.data[4 * p + 3] = 255;
      }
      tileContext.putImageData(image, 0, 0);
      const left = (k % columns) * (side + gap), top = Math.floor(k / columns) * (labelHeight + side + gap);
      context.drawImage(tile, left, top + labelHeight, side, side);
      context.fillStyle = "#282828";
      context.font = FONT;
      context.textBaseline = "top";
      const [first, second] = f.units[k];
      context.fillText(first, left + 1, top + 1, side - 2);
      if (second) context.fillText(second, left + 1, top + 15, side - 2);
      this.tileBoxes.push([left, top, side, labelHeight + side, k]);
    }
    canvas.setAttribute("aria-label", f.dW1_alt);
    this.strip.replaceChildren();
    show(this.strip, !!f.dW1_scale);
    if (f.dW1_scale) {
      const bar = element("div", "sp-scale-bar");
      bar.style.width = `${Math.min(width, 256)}px`;
      const words = element("div", "sp-scale-words");
      words.style.width = bar.style.width;
      words.append(...f.dW1_scale.map((word) => element("span", "", word)));
      this.strip.append(bar, words);
    }
    this.updateCaption.textContent = f.dW1_caption;
  }

  // The value under the pointer, named as core/model/explain.py names it: DeltaW1_<pixel>_<unit>, both from 1.
  tileAt(event) {
    const box = this.tiles.getBoundingClientRect();
    const px = event.clientX - box.left, py = event.clientY - box.top;
    const hit = (this.tileBoxes || []).find(([l, t, w, h]) => px >= l && px < l + w && py >= t + 30 && py < t + h);
    if (!hit) return;
    const [left, top, side, , unit] = hit;
    const column = Math.floor((px - left) * 28 / side), row = Math.floor((py - top - 30) * 28 / side);
    this.explain(`DeltaW1_${row * 28 + column + 1}_${unit + 1}`);
  }

  sampleAt(event) {
    const box = this.sample.getBoundingClientRect();
    const column = Math.floor((event.clientX - box.left) * 28 / box.width);
    const row = Math.floor((event.clientY - box.top) * 28 / box.height);
    if (column >= 0 && column < 28 && row >= 0 && row < 28) this.explain(`x_${row * 28 + column + 1}`);
  }
}

// An integer with the language's thousands separator (plotly's separators: decimal sign, then group sign).
export function count(value, separators) {
  // One pass swaps both signs: two replaces in a row turned Greek's 1.000 back into 1,000.
  const [decimal, group] = separators || ".,";
  return Math.round(value).toLocaleString("en-US").replace(/[.,]/g, (sign) => (sign === "." ? decimal : group));
}

// A number with a fixed count of decimals in the language's decimal sign, and a true minus sign.
export function fixed(value, digits, separators) {
  const [decimal] = separators || ".,";
  return (value < 0 ? "−" : "") + Math.abs(value).toFixed(digits).replace(".", decimal);
}

// figures.diverging_rgb: white at 0, towards POSITIVE red or NEGATIVE blue, saturated at ±1.
function diverging(t) {
  t = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  const end = t >= 0 ? [178, 24, 43] : [33, 102, 172], s = Math.abs(t);
  return [0, 1, 2].map((i) => Math.trunc(255 + s * (end[i] - 255)));
}

function show(node, visible) {
  node.hidden = !visible;
}
