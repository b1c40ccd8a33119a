// The Compare screen's curves of every run (ui/compare_panel.py mounts it; Streamlit serves this file
// from static/, so the browser fetches it once). Each click brings one blob of what changed
// (ui/step_payload.py): the runs' history bins side by side, four columns a run (own loss, Σ(A2 − y)²,
// correct, steps), and each run's silent units and ‖θ − θ0‖ at its snapshots. Six panels are drawn
// as SVG from those numbers: the trailing means are the Train panel's (static/panel_kit.js), so they
// equal ui/figures.training_curves. Words come translated from Python; numbers are written here with
// the language's decimal sign. window.__comparePanel exposes what was drawn, for tests and benchmarks.

const GRID = "#e3e3e3";
const AXIS = "#8a8a8a";
const EPOCH_LINE = "#999999";
const TEXT = "#3b3b3b";
const DASHES = {solid: "", dash: "7 4", dot: "2 3", dashdot: "7 3 2 3"};  // plotly's dashes, at width 2

// static/panel_kit.js, at this file's version: the blob, the curves, ticks, numbers
const common = await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));

export default async function (component) {
  const { data, parentElement, setTriggerValue } = component;
  await common.stylesheet("step_panel.css", parentElement);
  if (!data) return;
  const panel = parentElement.__comparePanel || (parentElement.__comparePanel = new ComparePanel(parentElement));
  panel.trigger = setTriggerValue;
  panel.receive(data);
}

class ComparePanel {
  constructor(host) {
    const {element} = common;
    Object.assign(this, common.held());
    this.root = element("div", "sp cp");
    this.legend = element("div", "cp-legend");
    this.grid = element("div", "cp-grid");
    this.panels = [0, 1, 2, 3, 4, 5].map((place) => this.buildPanel(place));
    this.root.append(this.legend, this.grid);
    host.appendChild(this.root);
    this.lastWidth = 0;
    new ResizeObserver(() => {
      if (Math.abs(this.root.clientWidth - this.lastWidth) > 1 && this.serial !== null) this.render();
    }).observe(this.root);
    window.__comparePanel = {};
  }

  buildPanel(place) {
    const {element, svgNode} = common;
    const box = element("div", "cp-panel sp-curves-box");
    const title = element("p", "cp-title");
    const svg = svgNode("svg", {class: "sp-chart cp-chart", role: "img", tabindex: "0", "data-panel": place});
    const tooltip = element("div", "sp-tooltip");
    tooltip.setAttribute("aria-live", "polite");
    box.append(title, svg, tooltip);
    this.grid.appendChild(box);
    const panel = {place, box, title, svg, tooltip, hover: null};
    svg.addEventListener("mousemove", (event) => this.pointAt(panel, event));
    svg.addEventListener("mouseleave", () => { panel.hover = null; this.drawHover(panel); });
    svg.addEventListener("blur", () => { panel.hover = null; this.drawHover(panel); });
    svg.addEventListener("keydown", (event) => this.key(panel, event));
    return panel;
  }

  receive(bytes) {
    const blob = common.receive(this, bytes, (serial) => this.trigger && this.trigger("resync", serial));
    if (!blob) return;
    Object.assign(window.__comparePanel, {serial: this.serial, bytes: blob.size, full: blob.full});
    this.render();
  }

  // --- numbers as the plotly chart wrote them ------------------------------------------------

  count(value) { return common.count(value, this.fields.separators); }

  fixed(value, digits) { return common.fixed(value, digits, this.fields.separators); }

  percent(value, digits = this.fields.percent_digits) { return `${this.fixed(100 * value, digits)}%`; }

  // plotly's ".3g": three significant digits, the language's decimal sign
  significant(value) {
    const [decimal] = this.fields.separators || ".,";
    return (value < 0 ? "−" : "") + Math.abs(value).toPrecision(3).replace(".", decimal);
  }

  // --- the six panels' series ----------------------------------------------------------------

  series() {
    const f = this.fields, runs = f.runs;
    const panels = [[], [], [], [], [], []];
    runs.forEach((run, k) => {
      const own = common.trainingCurves(this.bins.map((row) => [row[4 * k], row[4 * k + 2], row[4 * k + 3]]),
                                        this.width, f.window_min, f.curve_points);
      const mse = common.trainingCurves(this.bins.map((row) => [row[4 * k + 1], row[4 * k + 2], row[4 * k + 3]]),
                                        this.width, f.window_min, f.curve_points);
      const a = this.arrays;
      panels[0].push({x: own.steps, y: own.loss});
      panels[1].push({x: mse.steps, y: mse.loss});
      panels[2].push({x: mse.steps, y: mse.accuracy});
      panels[3].push({x: run.tests.map((p) => p[0]), y: run.tests.map((p) => p[1]), markers: true});
      panels[4].push({x: Array.from(a[`silent_steps_${k}`] || []), y: Array.from(a[`silent_${k}`] || []), steps: true});
      panels[5].push({x: Array.from(a[`distance_steps_${k}`] || []), y: Array.from(a[`distance_${k}`] || [])});
    });
    return panels;
  }

  // A value of panel `place` as its hover text writes it.
  value(place, v) {
    if (place === 0 || place === 1) return this.fixed(v, 4);
    if (place === 2 || place === 3) return this.percent(v);
    if (place === 4) return this.count(v);
    return this.significant(v);
  }

  // The hover line of run `k` at point (x, v) of panel `place`: "run: what over the steps to step".
  words(place, k, x, v) {
    const t = this.fields.text, run = this.fields.runs[k];
    const template = [t.own, t.mse, t.accuracy, t.test, t.silent, t.distance][place];
    const step = place === 3 ? String(x) : this.count(x);
    return `${run.label}: ${common.fill(template, {name: run.own, value: this.value(place, v), step})}`;
  }

  // --- drawing ---------------------------------------------------------------------------------

  render() {
    this.lastWidth = this.root.clientWidth;
    const {element, svgNode} = common;
    const f = this.fields;
    this.legend.replaceChildren(...f.runs.map((run) => {
      const item = element("span", "cp-key");
      const swatch = svgNode("svg", {width: 30, height: 10, "aria-hidden": "true"});
      swatch.appendChild(svgNode("line", {x1: 1, x2: 29, y1: 5, y2: 5, stroke: run.colour, "stroke-width": 2.5,
                                          "stroke-dasharray": DASHES[run.dash] ?? ""}));
      item.append(swatch, element("span", "", run.label));
      return item;
    }));
    const series = this.series();
    this.grid.classList.toggle("cp-stacked", this.root.clientWidth < 560);
    window.__comparePanel.series = series;
    for (const panel of this.panels) this.drawPanel(panel, series[panel.place]);
  }

  drawPanel(panel, lines) {
    const {svgNode, ticks, fill} = common;
    const f = this.fields, t = f.text, place = panel.place, svg = panel.svg;
    panel.title.textContent = t.titles[place];
    panel.lines = lines;
    const width = Math.max(220, svg.clientWidth || 220), height = 190;
    const m = {l: 58, r: 24, t: 8, b: 38};  // right: room for half of the last step's label ("120,000")
    const epochs = place === 3;
    const xs = lines.flatMap((line) => line.x), ys = lines.flatMap((line) => line.y).filter(Number.isFinite);
    const lastEpoch = Math.max(0, ...f.runs.map((run) => run.tests.length));
    let xLow = 0, xHigh, xTicks;
    if (epochs) {
      xLow = 0.5; xHigh = Math.max(1, lastEpoch) + 0.5;
      xTicks = Array.from({length: Math.max(1, lastEpoch)}, (_, i) => i + 1);
    } else {
      const last = Math.max(1, ...xs);
      xTicks = ticks(0, last, width < 400 ? 3 : 5, true);
      xHigh = Math.max(last, xTicks[xTicks.length - 1]);
    }
    let yLow = 0, yHigh, yTicks, yText;
    if (place === 2 || (epochs && !ys.length)) {
      yHigh = place === 2 ? 1.05 : 1;
      yTicks = [0, 0.25, 0.5, 0.75, 1];
      yText = (v) => this.percent(v, 0);
    } else if (epochs) {
      const low = Math.min(...ys), high = Math.max(...ys), pad = Math.max(0.002, (high - low) * 0.1);
      yLow = low - pad; yHigh = high + pad;
      yTicks = ticks(yLow, yHigh, 3);
      yText = (v) => this.percent(v, 1);
    } else if (place === 4) {
      yHigh = f.hidden + 0.5;
      const every = Math.max(1, Math.floor(f.hidden / 5));
      yTicks = Array.from({length: Math.floor(f.hidden / every) + 1}, (_, i) => i * every);
      yText = (v) => this.count(v);
    } else {
      yHigh = Math.max(1e-9, ...ys) * 1.05;
      yTicks = ticks(0, yHigh, 4);
      yText = (v) => this.fixed(v, yTicks.decimals);
    }
    const x = (v) => m.l + (width - m.l - m.r) * (v - xLow) / (xHigh - xLow);
    const y = (v) => height - m.b - (height - m.b - m.t) * (v - yLow) / (yHigh - yLow);
    panel.scale = {x, y, width, height, m};
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("height", height);
    const nodes = [];
    for (const v of yTicks) {
      nodes.push(svgNode("line", {x1: m.l, x2: width - m.r, y1: y(v), y2: y(v), stroke: GRID}));
      nodes.push(svgNode("text", {x: m.l - 6, y: y(v) + 4, "text-anchor": "end", class: "cp-y-tick"}, yText(v)));
    }
    for (const v of xTicks) {
      const words = epochs ? String(v) : this.count(v);
      nodes.push(svgNode("text", {x: x(v), y: height - m.b + 15, "text-anchor": "middle"}, words));
    }
    nodes.push(svgNode("line", {x1: m.l, x2: width - m.r, y1: height - m.b, y2: height - m.b, stroke: AXIS}));
    nodes.push(svgNode("text", {x: m.l + (width - m.l - m.r) / 2, y: height - 4, "text-anchor": "middle",
                                class: "cp-axis-title"}, epochs ? t.epoch : t.step));
    const middle = (m.t + height - m.b) / 2;
    nodes.push(svgNode("text", {x: 12, y: middle, "text-anchor": "middle", transform: `rotate(-90 12 ${middle})`,
                                class: "cp-axis-title"}, t.y_titles[place]));
    if (!epochs) {
      f.epoch_ends.forEach((step, i) => {  // where each epoch ended: the steps a test accuracy was measured
        const line = svgNode("line", {x1: x(step), x2: x(step), y1: m.t, y2: height - m.b, stroke: EPOCH_LINE,
                                      "stroke-dasharray": "2 3", class: "cp-epoch"});
        line.appendChild(svgNode("title", {}, fill(t.epoch_line, {epoch: i + 1, step: this.count(step)})));
        nodes.push(line);
      });
    }
    if (epochs && !lastEpoch) {  // two lines, as the plotly chart wrote it, clear of the tick labels
      t.no_test.split("<br>").forEach((words, i) => nodes.push(svgNode("text", {
        x: m.l + (width - m.l - m.r) / 2, y: y(0.625) + 16 * i, "text-anchor": "middle", class: "cp-note"}, words)));
    }
    lines.forEach((line, k) => nodes.push(...this.trace(line, f.runs[k], x, y)));
    panel.layer = svgNode("g", {class: "sp-hover"});
    nodes.push(panel.layer);
    svg.replaceChildren(...nodes);
    const values = epochs && !lastEpoch ? [t.no_test.replace("<br>", " ")] : lines.map((line, k) => (line.y.length
      ? this.words(place, k, line.x[line.x.length - 1], line.y[line.y.length - 1]) : `${f.runs[k].label}: –`));
    svg.setAttribute("aria-label", `${fill(t.alt, {title: t.titles[place], values: values.join(t.between)})} ${t.keys}`);
    if (panel.hover !== null) panel.hover = Math.min(panel.hover, this.longest(panel).x.length - 1);
    this.drawHover(panel);
  }

  // One run's line in its colour and dash (steps drawn as stairs, epochs with markers); gaps where not finite.
  trace(line, run, x, y) {
    const {svgNode} = common;
    let d = "", open = false;
    line.x.forEach((step, i) => {
      const v = line.y[i];
      if (!Number.isFinite(v)) { open = false; return; }
      if (open && line.steps) d += `H${x(step).toFixed(1)}`;
      d += `${open ? "L" : "M"}${x(step).toFixed(1)},${y(v).toFixed(1)}`;
      open = true;
    });
    const nodes = [svgNode("path", {d, fill: "none", stroke: run.colour, "stroke-width": 2,
                                    "stroke-dasharray": DASHES[run.dash] ?? "", class: "cp-line"})];
    const last = line.y.length - 1;
    const dots = line.markers ? line.x.map((_, i) => i) : last >= 0 ? [last] : [];
    for (const i of dots) {  // every epoch's point, or the newest point (seen even when it is the only one)
      if (Number.isFinite(line.y[i])) {
        nodes.push(svgNode("circle", {cx: x(line.x[i]), cy: y(line.y[i]), r: line.markers ? 4 : 2.5, fill: run.colour}));
      }
    }
    return nodes;
  }

  longest(panel) {
    return panel.lines.reduce((a, b) => (b.x.length > a.x.length ? b : a), panel.lines[0] || {x: []});
  }

  // --- hover and keyboard: every run's point nearest to one x -------------------------------------

  pointAt(panel, event) {
    const along = this.longest(panel);
    if (!along.x.length) return;
    const box = panel.svg.getBoundingClientRect();
    const at = (event.clientX - box.left) * panel.scale.width / box.width;
    let best = 0;
    along.x.forEach((step, i) => {
      if (Math.abs(panel.scale.x(step) - at) < Math.abs(panel.scale.x(along.x[best]) - at)) best = i;
    });
    panel.hover = best;
    this.drawHover(panel);
  }

  key(panel, event) {
    const moves = {ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity};
    const last = this.longest(panel).x.length - 1;
    if (!(event.key in moves) || last < 0) return;
    event.preventDefault();
    panel.hover = Math.min(last, Math.max(0, (panel.hover ?? last + (moves[event.key] < 0 ? 1 : 0)) + moves[event.key]));
    this.drawHover(panel);
  }

  drawHover(panel) {
    const {svgNode, element} = common;
    if (!panel.layer) return;
    const along = panel.lines && this.longest(panel);
    if (panel.hover === null || !along || along.x[panel.hover] === undefined) {
      panel.layer.replaceChildren();
      panel.tooltip.textContent = "";
      panel.tooltip.style.visibility = "hidden";
      return;
    }
    const s = panel.scale, at = along.x[panel.hover], nodes = [], lines = [];
    nodes.push(svgNode("line", {x1: s.x(at), x2: s.x(at), y1: s.m.t, y2: s.height - s.m.b, stroke: TEXT}));
    panel.lines.forEach((line, k) => {
      if (!line.x.length) return;
      let i = 0;  // this run's point nearest to the step under the pointer
      line.x.forEach((step, j) => { if (Math.abs(step - at) < Math.abs(line.x[i] - at)) i = j; });
      if (!Number.isFinite(line.y[i])) return;
      nodes.push(svgNode("circle", {cx: s.x(line.x[i]), cy: s.y(line.y[i]), r: 4, fill: this.fields.runs[k].colour,
                                    stroke: "white"}));
      lines.push(this.words(panel.place, k, line.x[i], line.y[i]));
    });
    panel.layer.replaceChildren(...nodes);
    panel.tooltip.replaceChildren(...lines.map((line) => element("div", "", line)));
    panel.tooltip.style.visibility = "visible";
    const box = panel.svg.getBoundingClientRect(), ratio = box.width / s.width;
    panel.tooltip.style.left = `${Math.min(s.x(at) * ratio + 8, Math.max(0, box.width - panel.tooltip.offsetWidth))}px`;
    panel.tooltip.style.top = `${box.top - panel.box.getBoundingClientRect().top + s.m.t * ratio}px`;
  }
}
