// A line chart of the Loss surface screen (static/surface_panel.js mounts it; ui/surface_panel.lines_blob
// sends it): named curves over one x axis, each in its own colour and dash (plotly's palette and dashes
// before, figures.RUNS and figures.DASHES), markers where asked, and curves on a right axis from 0 to
// 100% (an accuracy, in green). Hover, or the arrow keys once the chart has the focus, read every
// curve at the nearest x: each point's text is made in Python, in the session's language.
// A series may name its own colour, dash ("solid", "dash", "dot", "dashdot") and marker (circle, square,
// diamond, cross: a run's shape on Compare), stay out of the legend, and leave gaps (NaN: no point there).

const {kit, extent, frame, hideTip, legendEntry, pointer, tickText, tipAt, words} =
  await import(new URL(`surface_kit.js${new URL(import.meta.url).search}`, import.meta.url));
const {count, ticks, size, GREEN, GRID, TEXT, FONT} = kit;

const RUNS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
const DASHES = [[], [7, 4], [2, 3], [7, 3, 2, 3]];
const DASH_NAMES = {solid: DASHES[0], dash: DASHES[1], dot: DASHES[2], dashdot: DASHES[3]};

export class Lines {
  constructor(host) {
    this.parts = frame(host, "sf-lines");
    this.index = null;
    const canvas = this.parts.canvas;
    canvas.addEventListener("pointermove", (event) => this.hover(pointer(canvas, event)[0]));
    canvas.addEventListener("pointerleave", () => { this.index = null; hideTip(this.parts); this.draw(); });
    canvas.addEventListener("keydown", (event) => this.key(event));
    canvas.addEventListener("blur", () => hideTip(this.parts));
  }

  load(fields, arrays) {
    this.fields = fields;
    this.x = arrays.x;
    this.series = fields.series.map((line, k) => ({
      ...line, values: arrays[`y${k}`],
      colour: line.colour || (line.right ? GREEN : RUNS[k % RUNS.length]),
      dash: line.dash ? DASH_NAMES[line.dash] : line.right ? [] : DASHES[k % DASHES.length]}));
    words(this.parts, fields.text, fields.alt);
    this.parts.legend.replaceChildren(...this.series.filter((line) => line.legend !== false).map((line) => legendEntry(line.name, (c) => {
      stroke(c, [[2, 7], [24, 7]], line);
      if (line.markers) marker(c, 13, 7, line);
    })));
  }

  layout() {
    const width = Math.max(260, this.parts.stage.clientWidth), right = this.series.some((line) => line.right);
    return {width, height: 250, left: 62, right: right ? 54 : 14, top: 10, bottom: 46};
  }

  toX(value) {
    const {left, right, width} = this.box, [low, high] = this.xRange;
    return left + ((value - low) / (high - low || 1)) * (width - left - right);
  }

  toY(value, onRight) {
    const {top, bottom, height} = this.box, [low, high] = onRight ? [0, 1] : this.yRange;
    return top + ((high - value) / (high - low || 1)) * (height - top - bottom);
  }

  draw() {
    if (!this.fields) return;
    const box = this.box = this.layout(), {text, separators} = this.fields;
    const context = size(this.parts.canvas, box.width, box.height);
    this.xRange = extent(this.x);
    const [low, high] = extent(this.series.filter((line) => !line.right).flatMap((line) => Array.from(line.values)));
    const pad = (high - low) * 0.06 || Math.abs(high) * 0.1 || 1;
    this.yRange = this.fields.from_zero ? [Math.min(0, low), high + pad] : [low - pad, high + pad];
    context.font = FONT;
    const plotRight = box.width - box.right, plotBottom = box.height - box.bottom;
    const integers = Array.from(this.x).every(Number.isInteger);  // steps: no tick between two of them
    const yTicks = ticks(...this.yRange, 5);
    const xTicks = ticks(...this.xRange, Math.max(3, Math.floor((plotRight - box.left) / 90)), integers);
    context.fillStyle = TEXT;
    context.textBaseline = "middle";
    context.textAlign = "right";
    for (const value of yTicks) {
      const y = this.toY(value);
      context.fillStyle = GRID;
      context.fillRect(box.left, y, plotRight - box.left, 1);
      context.fillStyle = TEXT;
      context.fillText(tickText(value, yTicks, separators), box.left - 6, y);
    }
    if (box.right > 20) {
      context.textAlign = "left";
      text.right_ticks.forEach((label, k) => context.fillText(label, plotRight + 6, this.toY(k / 4, true)));
    }
    context.textAlign = "center";
    context.textBaseline = "top";
    for (const value of xTicks) {
      const x = this.toX(value);
      context.fillRect(x, plotBottom, 1, 4);
      context.fillText(integers ? count(value, separators) : tickText(value, xTicks, separators), x, plotBottom + 6);
    }
    context.fillStyle = "#8a8a8a";
    context.fillRect(box.left, plotBottom, plotRight - box.left, 1);
    context.fillStyle = TEXT;
    context.textBaseline = "bottom";
    context.fillText(text.x_title, (box.left + plotRight) / 2, box.height - 2);
    turned(context, text.y_title, 2, (box.top + plotBottom) / 2, -1);
    if (box.right > 20) turned(context, text.right_title, box.width - 2, (box.top + plotBottom) / 2, 1);
    for (const line of this.series) {
      const points = Array.from(line.values, (value, k) => [this.toX(this.x[k]), this.toY(value, line.right)]);
      stroke(context, points, line);
      if (line.markers) for (const [x, y] of points) if (y === y) marker(context, x, y, line);
    }
    if (this.index !== null) {
      context.fillStyle = "rgba(0, 0, 0, 0.45)";
      context.fillRect(this.toX(this.x[this.index]), box.top, 1, plotBottom - box.top);
    }
    this.parts.canvas.chart = this;
  }

  // Every curve's text at point `index`, one line each.
  say(index) {
    this.index = index;
    this.draw();
    const shown = this.series.filter((line) => line.values[index] === line.values[index]);  // NaN: no point here
    const y = Math.min(...shown.map((line) => this.toY(line.values[index], line.right)));
    tipAt(this.parts, this.toX(this.x[index]), y, shown.map((line) => line.texts[index]).join("\n"));
  }

  hover(x) {
    if (!this.box || !this.x.length) return;
    let best = 0;
    for (let k = 1; k < this.x.length; k++) if (Math.abs(this.toX(this.x[k]) - x) < Math.abs(this.toX(this.x[best]) - x)) best = k;
    this.say(best);
  }

  key(event) {
    const moves = {ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity};
    if (!(event.key in moves) || !this.x.length) return;
    event.preventDefault();
    const start = this.index === null ? (moves[event.key] > 0 ? -1 : this.x.length) : this.index;
    this.say(Math.max(0, Math.min(this.x.length - 1, start + moves[event.key])));
  }
}

function stroke(context, points, line) {
  context.save();
  context.strokeStyle = line.colour;
  context.lineWidth = 2;
  context.setLineDash(line.dash);
  context.beginPath();
  let drawing = false;
  for (const [x, y] of points) {
    if (y !== y) { drawing = false; continue; }  // a gap
    if (drawing) context.lineTo(x, y); else context.moveTo(x, y);
    drawing = true;
  }
  context.stroke();
  context.restore();
}

// A point's marker in the series' colour: a dot, or the series' shape (plotly's symbols 0-3).
function marker(context, x, y, line) {
  const r = 3;
  context.beginPath();
  if (line.marker === "square") context.rect(x - r, y - r, 2 * r, 2 * r);
  else if (line.marker === "diamond") [[0, -1.35], [1.35, 0], [0, 1.35], [-1.35, 0]].forEach(([dx, dy]) => context.lineTo(x + dx * r, y + dy * r));
  else if (line.marker === "cross") {
    const t = r / 2.5;
    [[-t, -r], [t, -r], [t, -t], [r, -t], [r, t], [t, t], [t, r], [-t, r], [-t, t], [-r, t], [-r, -t], [-t, -t]]
      .forEach(([dx, dy]) => context.lineTo(x + dx, y + dy));
  } else context.arc(x, y, r, 0, 2 * Math.PI);
  context.closePath();
  context.fillStyle = line.colour;
  context.fill();
}

// An axis title turned a quarter (−1: reading upwards, at the left; 1: downwards, at the right).
function turned(context, text, x, y, way) {
  context.save();
  context.translate(x, y);
  context.rotate((way * Math.PI) / 2);
  context.textAlign = "center";
  context.textBaseline = "top";  // the text's top at the canvas's edge, its foot towards the plot
  context.fillText(text, 0, 0);
  context.restore();
}
