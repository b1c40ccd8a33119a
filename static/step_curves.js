// The Train panel's loss and accuracy curves (static/step_panel.js gathers these methods onto its
// Panel): the trailing means of the history's bins (panel_kit.trainingCurves), drawn as SVG, the
// loss above and the training accuracy below on one step axis, the test accuracy after each epoch,
// a viewed past step; the pointer or the arrow keys read each point's values out.

const {BLUE, EPOCH_LINE, GREEN, GRID, AXIS, TEXT, VIEWED, element, fill, svgNode, ticks, trainingCurves} =
  await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));

export const curves = {
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
  },

  // locales.percent: an accuracy written the one way the app writes it (two decimals: "89.98%", Greek "89,98%")
  percent(value) {
    return `${this.fixed(100 * value, this.fields.percent_digits ?? 2)}%`;
  },

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
  },

  curveKey(event) {
    if (!this.curve || !this.curve.steps.length) return;
    const moves = {ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity};
    if (!(event.key in moves)) return;
    event.preventDefault();
    const last = this.curve.steps.length - 1;
    this.hover = Math.min(last, Math.max(0, (this.hover ?? last + (moves[event.key] < 0 ? 1 : 0)) + moves[event.key]));
    this.drawHover();
  },

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
};
