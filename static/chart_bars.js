// Bars for the chart kit (static/chart_kit.js calls these with `this` its Chart): labelled bars, one
// series or several side by side, each bar its colour and pattern from Python (grey hatched: a unit
// off for this image), the true label outlined in black with "label" above it, values written
// on the bars as Python wrote them, or (horizontal) one bar a row from a zero line, its name on its left,
// the first on top (the terms of an explanation); and the histogram: thin touching bars over a numeric axis, on a
// log y axis, hover "value: count". Each kind gives draw (SVG nodes), hit (the target under a point),
// outline (the marked target) and text (its tooltip).

const {AXIS, GRID, fill, svgNode, ticks} =
  await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));

const TRUE_LABEL = "#000000";  // figures.TRUE_LABEL: the true digit's outline
// The bar patterns a spec may name (plotly's shapes): "x" hatches an off unit's grey bar, "/" and "." tell
// the dZ2 rules apart without colour (figures.RULE_STYLES). Each under an id unique in the page.
const PATTERNS = {
  x: ["M0,0L6,6M6,0L0,6", "#555555", "stroke"],
  "/": ["M0,6L6,0M-1,1L1,-1M5,7L7,5", "#ffffff", "stroke"],
  ".": ["M3,3m-1.2,0a1.2,1.2 0 1,0 2.4,0a1.2,1.2 0 1,0 -2.4,0", "#ffffff", "fill"],
};

function patternDefs(id) {
  const defs = svgNode("defs");
  for (const [shape, [d, colour, paint]] of Object.entries(PATTERNS)) {
    const pattern = svgNode("pattern", {id: patternId(id, shape), width: 6, height: 6, patternUnits: "userSpaceOnUse"});
    pattern.append(svgNode("path", paint === "fill" ? {d, fill: colour} : {d, stroke: colour, "stroke-width": 1, opacity: 0.8}));
    defs.append(pattern);
  }
  return defs;
}

function patternId(id, shape) {
  return `${id}-pattern-${{x: "x", "/": "slash", ".": "dot"}[shape]}`;
}

// The y range: the values' (and 0's), stretched so that `above` pixels stay free over the highest bar and
// `below` under the lowest (for the words written there), on a plot `height` pixels high.
function valueRange(values, given, above, below, height) {
  if (given) return given;
  const low = Math.min(0, ...values), high = Math.max(0, ...values);
  const top = high > 0 ? above : 0, bottom = low < 0 ? below : 0;
  const span = (high - low || 1) / Math.max(0.3, 1 - (top + bottom) / height);
  return [low - span * bottom / height, high + span * top / height];
}

// Horizontal bars (fields.horizontal): one series, a row per label from the top, each name on its left
// (cut with "…" beyond 60% of the width: the hover and the alt text hold it whole), the values along x.
function drawAcross() {
  const f = this.fields, n = f.labels.length, values = this.arrays.values, series = f.series[0];
  this.height = f.height - 34;
  const room = this.width * 0.6, longest = Math.max(...f.labels.map((label) => this.measure(label)));
  const margin = {l: Math.min(room, longest) + 10, r: 14, t: 4, b: 38};
  const low = Math.min(0, ...values), high = Math.max(0, ...values), pad = (high - low || 1) * 0.04;
  const [from, to] = [low < 0 ? low - pad : 0, high > 0 ? high + pad : 0];
  const box = {left: margin.l, right: this.width - margin.r, top: margin.t, bottom: this.height - margin.b};
  const x = (v) => box.left + (box.right - box.left) * (v - from) / (to - from || 1);
  this.box = box;
  const band = (box.bottom - box.top) / n, nodes = [];
  this.band = band;
  const marks = ticks(from, to, this.phone() ? 3 : 5);
  for (const v of marks) {
    nodes.push(svgNode("line", {x1: x(v), x2: x(v), y1: box.top, y2: box.bottom, stroke: v === 0 ? AXIS : GRID}));
    nodes.push(svgNode("text", {x: x(v), y: box.bottom + 15, "text-anchor": "middle", class: "ck-tick"},
                       this.fixed(v, marks.decimals)));
  }
  this.targets = [];
  for (let i = 0; i < n; i++) {
    const y = box.top + band * i, end = x(values[i]), zero = x(0), left = Math.min(end, zero), w = Math.abs(end - zero);
    nodes.push(svgNode("rect", {x: left, y: y + band * 0.15, width: w, height: band * 0.7, fill: series.colours[i],
                                class: "ck-bar"}));
    let name = f.labels[i];
    while (name.length > 1 && this.measure(name) > room) name = `${name.slice(0, -2)}…`;
    nodes.push(svgNode("text", {x: box.left - 6, y: y + band / 2 + 4, "text-anchor": "end", class: "ck-tick"}, name));
    this.targets.push({series: 0, index: i, x: left, w: Math.max(w, 2), y: y + band * 0.15, h: band * 0.7});
  }
  nodes.push(svgNode("line", {x1: x(0), x2: x(0), y1: box.top, y2: box.bottom, stroke: AXIS}));
  nodes.push(this.xTitle(box, this.height - 4));
  return nodes;
}

export const barsKind = {
  draw() {
    if (this.fields.horizontal) return drawAcross.call(this);
    const f = this.fields, n = f.labels.length, groups = f.series.length, values = this.arrays.values;
    const band = (this.width - 68) / n, inner = band * (groups > 1 ? 0.8 : 0.7), width = inner / groups;
    // names wider than their bar's band stand on end (turned a quarter: no name's box over its neighbour's)
    const longest = Math.max(...f.labels.map((label) => this.measure(label)));
    const tilt = longest > band * 0.92;
    this.tilt = tilt;
    const labelRoom = tilt ? 10 + longest : 20;
    this.height = f.height - 34 + Math.max(0, labelRoom - 40);
    const written = f.series.some((series) => series.text.some((text) => text)) || f.outline !== null;
    const texts = f.series.flatMap((s) => s.text), wordy = Math.max(...texts.map((text) => this.measure(text, 11)));
    const turned = wordy > (groups > 1 ? band : width) * 0.95;
    // room beyond the highest and the lowest bar for the words written there: the value (turned, as long
    // as it is) and "label"
    // "label" stands on end too when it is wider than its band, or its value does
    const labelWidth = f.outline !== null ? this.measure(f.outline_text) * 1.1 : 0;
    const labelTurned = turned || labelWidth > band * 0.95;
    const label = f.outline !== null ? (labelTurned ? labelWidth + 12 : 16) : 0;
    const room = !written ? 4 : (turned ? wordy + 8 : 18) + label;
    const margin = {l: 58, r: 10, t: 10, b: labelRoom + 22};
    const [low, high] = valueRange(values, f.y_range, room, room, this.height - margin.t - margin.b);
    const box = this.frame(margin, low, high, false);
    const nodes = [patternDefs(this.id), ...this.yAxis(box, low, high, false)];
    const zero = box.y(Math.min(high, Math.max(low, 0)));
    this.targets = [];
    this.band = band;
    for (let i = 0; i < n; i++) {
      const middle = box.left + band * (i + 0.5);
      f.series.forEach((series, s) => {
        const value = values[s * n + i], x = middle - inner / 2 + s * width + width * 0.04;
        const y = box.y(Math.min(high, Math.max(low, value))), top = Math.min(y, zero), height = Math.abs(y - zero);
        const w = width * 0.92;
        const bar = svgNode("rect", {x, y: top, width: w, height, fill: series.colours[i], class: "ck-bar"});
        if (f.outline === i && s === 0) { bar.setAttribute("stroke", TRUE_LABEL); bar.setAttribute("stroke-width", 3); }
        nodes.push(bar);
        const shape = series.patterns[i];
        if (shape) nodes.push(svgNode("rect", {x, y: top, width: w, height, fill: `url(#${patternId(this.id, shape)})`}));
        const words = series.text[i];
        if (words) {
          const up = value >= 0, at = up ? top - 4 : top + height + 4;
          const attributes = turned
            ? {x: x + w / 2 + 4, y: at, "text-anchor": up ? "start" : "end", transform: `rotate(-90 ${x + w / 2 + 4} ${at})`}
            : {x: x + w / 2, y: up ? at : at + 10, "text-anchor": "middle"};
          nodes.push(svgNode("text", {...attributes, class: "ck-value"}, words));
        }
        this.targets.push({series: s, index: i, x, w, y: top, h: Math.max(height, 2)});
      });
      const label = tilt
        ? svgNode("text", {x: middle + 4, y: box.bottom + 6, "text-anchor": "end", class: "ck-tick",
                           transform: `rotate(-90 ${middle + 4} ${box.bottom + 6})`}, f.labels[i])
        : svgNode("text", {x: middle, y: box.bottom + 15, "text-anchor": "middle", class: "ck-tick"}, f.labels[i]);
      nodes.push(label);
    }
    if (f.outline !== null && f.outline !== undefined) {  // "label" over the true digit's bar
      const bar = this.targets.find((target) => target.series === 0 && target.index === f.outline);
      const up = values[f.outline] >= 0, words = f.series[0].text[f.outline];
      if (labelTurned) {  // on end, beyond the value: a word across the band would cover the neighbours'
        const from = turned ? this.measure(words, 11) + 10 : 20, x = bar.x + bar.w / 2 + 4;
        const y = up ? bar.y - from : bar.y + bar.h + from;
        nodes.push(svgNode("text", {x, y, "text-anchor": up ? "start" : "end", class: "ck-label",
                                    transform: `rotate(-90 ${x} ${y})`}, f.outline_text));
      } else {
        nodes.push(svgNode("text", {x: bar.x + bar.w / 2, y: up ? bar.y - 20 : bar.y + bar.h + 28, "text-anchor": "middle",
                                    class: "ck-label"}, f.outline_text));
      }
    }
    nodes.push(svgNode("line", {x1: box.left, x2: box.right, y1: box.bottom, y2: box.bottom, stroke: AXIS}));
    nodes.push(this.xTitle(box, this.height - 4));
    return nodes;
  },

  // A point over a bar's band, anywhere up its column: the bar of the series whose slot it is in.
  hit(x, y) {
    const box = this.box, n = this.fields.labels.length, groups = this.fields.series.length;
    if (this.fields.horizontal) {  // anywhere along a bar's row, its name included
      return y < box.top || y >= box.bottom || x > box.right ? null : Math.min(n - 1, Math.floor((y - box.top) / this.band));
    }
    if (x < box.left || x > box.right || y < box.top - 20 || y > box.bottom) return null;
    const i = Math.min(n - 1, Math.floor((x - box.left) / this.band));
    const middle = box.left + this.band * (i + 0.5), inner = this.band * (groups > 1 ? 0.8 : 0.7);
    const s = Math.min(groups - 1, Math.max(0, Math.floor((x - (middle - inner / 2)) / (inner / groups))));
    return i * groups + s;
  },

  outline(target) {
    return [svgNode("rect", {x: target.x - 1.5, y: target.y - 1.5, width: target.w + 3, height: target.h + 3,
                             fill: "none", stroke: "#111111", "stroke-width": 2, class: "ck-marked"})];
  },

  text(target) {
    return this.fields.series[target.series].hover[target.index];
  },
};

export const histogramKind = {
  draw() {
    const f = this.fields, values = this.arrays.values, n = values.length;
    this.height = f.height - 34;
    const positive = Array.from(values).filter((v) => v > 0);
    // a log axis from half the smallest count to twice the largest, its ticks at the powers of ten between
    const low = f.log_y ? Math.min(...positive) / 2 : 0;
    const high = f.log_y ? Math.max(...positive) * 2 : Math.max(...values) * 1.05;
    const box = this.frame({l: 58, r: 10, t: 10, b: 42}, low, high, f.log_y);
    const nodes = this.yAxis(box, low, high, f.log_y);
    const band = (box.right - box.left) / n, bottom = box.bottom;
    this.band = band;
    this.targets = [];
    const path = [];
    for (let i = 0; i < n; i++) {
      const x = box.left + band * i, y = values[i] > 0 ? box.y(values[i]) : bottom;
      if (values[i] > 0) path.push(`M${x.toFixed(2)},${bottom}V${y.toFixed(2)}h${band.toFixed(3)}V${bottom}Z`);
      this.targets.push({series: 0, index: i, x, w: band, y, h: bottom - y});
    }
    nodes.push(svgNode("path", {d: path.join(""), fill: f.colour, class: "ck-bar"}));
    const xTicks = ticks(0, n - 1, this.phone() ? 4 : 6, true);
    for (const v of xTicks) {
      nodes.push(svgNode("text", {x: box.left + band * (v + 0.5), y: bottom + 15, "text-anchor": "middle", class: "ck-tick"},
                         this.count(v)));
    }
    nodes.push(svgNode("line", {x1: box.left, x2: box.right, y1: bottom, y2: bottom, stroke: AXIS}));
    nodes.push(this.xTitle(box, this.height - 4));
    return nodes;
  },

  hit(x) {
    const box = this.box;
    if (x < box.left || x > box.right) return null;
    return Math.min(this.targets.length - 1, Math.floor((x - box.left) / this.band));
  },

  outline(target) {
    const box = this.box;
    return [svgNode("rect", {x: target.x, y: box.top, width: Math.max(target.w, 2), height: box.bottom - box.top,
                             fill: "rgba(0, 0, 0, 0.08)", stroke: "#111111", "stroke-width": 1, class: "ck-marked"})];
  },

  text(target) {
    return fill(this.fields.hover, {x: this.count(target.index), y: this.count(this.arrays.values[target.index])});
  },
};
