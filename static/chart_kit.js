// The chart kit (ui/chart_kit.py mounts it): one component that draws bars, grouped bars, histograms,
// lines and images from a spec of words made in Python and numbers sent as float32/uint8 arrays
// (ui/step_payload.encode, decoded by panel_kit.decode), so the screens that use it never load plotly.
// This file holds the chart itself: its title and legend (HTML, so they wrap), the plot as SVG, the
// axes and their ticks in the language's signs, the tooltip, the pointer and the keyboard (arrow keys
// from value to value, Enter explains), and the click sent back to Python (trigger "click": [series,
// index]). Each kind's drawing lives beside it: static/chart_bars.js (bars and histograms),
// static/chart_lines.js, static/chart_image.js (an image, a matrix, its values written in the cells or not),
// static/chart_tiles.js (tiles); static/chart_cells.js holds what the last two share. Every text goes in as text
// (textContent), never HTML.
// window.__charts[key] exposes what was drawn (the fields, the arrays, the targets) for tests.

const version = new URL(import.meta.url).search;  // "?v=…": what this file's neighbours are fetched with
const near = (name) => import(new URL(`${name}${version}`, import.meta.url));
const [kit, {barsKind, histogramKind}, {linesKind}, {imageKind}, {tilesKind}] = await Promise.all(
  ["panel_kit.js", "chart_bars.js", "chart_lines.js", "chart_image.js", "chart_tiles.js"].map(near));
const {AXIS, GRID, count, element, fixed, svgNode, ticks} = kit;
const KINDS = {bars: barsKind, histogram: histogramKind, lines: linesKind, image: imageKind, tiles: tilesKind};

export default async function (component) {
  const chart = await kit.mounted(component, "chart_kit.css", "__chart", (host) => new Chart(host));
  if (chart) chart.load(component.data);
}

let serial = 0;  // ids of SVG patterns, unique in the page

class Chart {
  constructor(host) {
    this.host = host;
    this.id = `ck${++serial}`;
    this.root = element("figure", "ck");
    this.title = element("div", "ck-title");
    this.legend = element("div", "ck-legend");
    this.plot = element("div", "ck-plot");
    this.svg = svgNode("svg", {class: "ck-svg", role: "img", tabindex: "0"});
    this.tooltip = element("div", "ck-tooltip");
    this.said = element("div", "ck-said");  // what a screen reader hears when the keys move
    this.said.setAttribute("aria-live", "polite");
    this.plot.append(this.svg, this.tooltip);
    this.root.append(this.title, this.legend, this.plot, this.said);
    host.appendChild(this.root);
    this.at = null;  // the target under the pointer or the keys
    this.svg.addEventListener("mousemove", (event) => this.point(event));
    this.svg.addEventListener("mouseleave", () => this.mark(null));
    this.svg.addEventListener("click", (event) => { this.point(event); this.click(); });
    this.svg.addEventListener("keydown", (event) => this.key(event));
    this.svg.addEventListener("blur", () => this.mark(null));
    this.width = 0;
    new ResizeObserver(() => {
      if (this.fields && Math.abs(this.plot.clientWidth - this.width) > 1) this.draw();
    }).observe(this.plot);
  }

  load(bytes) {
    const {header, arrays} = kit.decode(bytes);
    this.fields = header.fields;
    this.arrays = arrays;
    this.picture = null;  // an image's pixels (a tile's) as a picture, made again from these arrays
    this.pictures = null;
    this.kind = KINDS[this.fields.kind];
    window.__charts = window.__charts || {};
    window.__charts[this.fields.key] = this;
    this.draw();
    for (const mark of this.host.querySelectorAll(".ck-pending")) mark.remove();  // drawn (ui/chart_kit.PENDING)
  }

  // Numbers in the language's signs: an integer with its thousands separators, a fixed count of decimals,
  // `digits` significant ones (Python's ".4g").
  count(value) { return count(value, this.fields.separators); }
  fixed(value, digits) { return fixed(value, digits, this.fields.separators); }
  precise(value, digits = 4) {
    if (value === 0) return "0";
    const exponent = Math.floor(Math.log10(Math.abs(value)));
    if (exponent < -4 || exponent >= digits) {
      const [mantissa, power] = Math.abs(value).toExponential(digits - 1).split("e");
      const trimmed = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
      const sign = power.startsWith("-") ? "-" : "+";
      return `${value < 0 ? "−" : ""}${trimmed.replace(".", this.fields.separators[0])}e${sign}${power.replace(/^[+-]/, "").padStart(2, "0")}`;
    }
    const written = Math.abs(value).toFixed(Math.max(0, digits - 1 - exponent));
    const text = written.includes(".") ? written.replace(/\.?0+$/, "") : written;  // "0.005000" → "0.005", as ".4g"
    return (value < 0 ? "−" : "") + text.replace(".", this.fields.separators[0]);
  }

  phone() { return this.plot.clientWidth < 420; }

  // How wide `text` is written at `size` px in the page's font.
  measure(text, size = 12) {
    const context = Chart.ruler || (Chart.ruler = document.createElement("canvas").getContext("2d"));
    context.font = `${size}px ${getComputedStyle(this.root).fontFamily}`;
    return context.measureText(text).width;
  }

  draw() {
    const f = this.fields;
    this.width = Math.max(200, this.plot.clientWidth || 300);
    this.title.textContent = f.title;
    this.drawLegend();
    this.svg.setAttribute("aria-label", `${f.alt}. ${f.keys}`);
    this.svg.classList.toggle("ck-clickable", !!f.clickable);
    this.layer = svgNode("g", {class: "ck-mark"});
    const nodes = this.kind.draw.call(this);  // sets this.targets, this.height, this.box
    this.svg.setAttribute("viewBox", `0 0 ${this.width} ${this.height}`);
    this.svg.setAttribute("width", this.width);
    this.svg.setAttribute("height", this.height);
    this.svg.replaceChildren(...nodes, this.layer);
    if (this.at !== null && this.at >= this.targets.length) this.at = null;
    this.mark(this.at);
  }

  drawLegend() {
    const entries = this.fields.legend || [];
    this.legend.hidden = !entries.length;
    this.legend.classList.toggle("ck-legend-foot", !this.fields.legend_top);
    const keys = entries.map(([name, colour, pattern, dash]) => {
      const key = element("span", "ck-key");
      let swatch;
      if (dash === undefined) {  // a bar's colour and pattern
        swatch = element("span", `ck-swatch ${{x: "ck-hatched", "/": "ck-slashed", ".": "ck-dotted"}[pattern] || ""}`);
        swatch.style.backgroundColor = colour;
      } else {  // a curve's colour and dash
        swatch = svgNode("svg", {width: 28, height: 10, class: "ck-swatch-line"});
        swatch.append(svgNode("line", {x1: 1, x2: 27, y1: 5, y2: 5, stroke: colour, "stroke-width": 2, "stroke-dasharray": dash}));
      }
      swatch.setAttribute("aria-hidden", "true");
      key.append(swatch, element("span", "", name));
      return key;
    });
    this.legend.replaceChildren(...keys);
    // the legend at the foot for a chart whose axis names run long (the hidden layer), above otherwise
    if (this.fields.legend_top) this.root.insertBefore(this.legend, this.plot);
    else this.root.insertBefore(this.legend, this.said);
  }

  // The plot's box in SVG coordinates from the margins, and the y scale over [low, high] (log: decades).
  frame(margin, low, high, log) {
    const box = {left: margin.l, right: this.width - margin.r, top: margin.t, bottom: this.height - margin.b};
    if (log) {
      const a = Math.log10(low), b = Math.log10(high);
      box.y = (v) => box.bottom - (box.bottom - box.top) * (Math.log10(Math.max(v, low)) - a) / (b - a);
    } else {
      box.y = (v) => box.bottom - (box.bottom - box.top) * (v - low) / (high - low);
    }
    this.box = box;
    return box;
  }

  // The y axis: grid lines and tick labels, and its title turned along it.
  yAxis(box, low, high, log) {
    const nodes = [];
    let values;
    const given = this.fields.y_ticks;  // [[value, its label made in Python], …]: a percentage axis
    if (given) {
      values = given.map(([v]) => v);
    } else if (log) {
      values = [];
      for (let p = Math.ceil(Math.log10(low) - 1e-9); p <= Math.log10(high) + 1e-9; p++) values.push(10 ** p);
    } else {
      values = ticks(low, high, this.phone() ? 4 : 5);
    }
    values.forEach((v, k) => {
      const y = box.y(v);
      nodes.push(svgNode("line", {x1: box.left, x2: box.right, y1: y, y2: y, stroke: v === 0 && !log ? AXIS : GRID}));
      nodes.push(svgNode("text", {x: box.left - 6, y: y + 4, "text-anchor": "end", class: "ck-tick"},
                         given ? given[k][1] : log ? this.short(v)
                           : Math.abs(v) >= 1000 ? this.count(v) : this.fixed(v, values.decimals)));
    });
    const middle = (box.top + box.bottom) / 2;
    nodes.push(svgNode("text", {x: 12, y: middle, "text-anchor": "middle", class: "ck-axis-title",
                                transform: `rotate(-90 12 ${middle})`}, this.fields.y_title));
    return nodes;
  }

  // A power of ten as plotly writes it on a log axis: 1, 10, 100, 1000, 10k, 100k, 1M.
  short(value) {
    if (value >= 1e6) return `${this.count(value / 1e6)}M`;
    if (value >= 1e4) return `${this.count(value / 1e3)}k`;
    return value >= 1 ? String(Math.round(value)) : this.precise(value, 1);
  }

  xTitle(box, y) {
    return svgNode("text", {x: (box.left + box.right) / 2, y, "text-anchor": "middle", class: "ck-axis-title"},
                   this.fields.x_title);
  }

  // --- the pointer and the keys ----------------------------------------------------------------

  point(event) {
    const rect = this.svg.getBoundingClientRect();
    const x = (event.clientX - rect.left) * this.width / rect.width, y = (event.clientY - rect.top) * this.height / rect.height;
    this.mark(this.kind.hit.call(this, x, y));
  }

  key(event) {
    const last = this.targets.length - 1;
    if (last < 0) return;
    if (event.key === "Enter" || event.key === " ") {
      if (this.at === null) return;
      event.preventDefault();
      this.click();
      return;
    }
    const row = this.kind.row ? this.kind.row.call(this) : 1;
    const moves = {ArrowLeft: -1, ArrowRight: 1, ArrowUp: -row, ArrowDown: row, Home: -Infinity, End: Infinity};
    if (!(event.key in moves)) return;
    event.preventDefault();
    const from = this.at ?? (moves[event.key] > 0 ? -1 : last + 1);
    this.mark(Math.min(last, Math.max(0, from + moves[event.key])));
    this.said.textContent = this.tooltip.textContent;
  }

  click() {
    const target = this.targets[this.at];
    if (!this.fields.clickable || !target || target.series === undefined || !this.trigger) return;
    this.trigger("click", [target.series, target.index]);
  }

  // Outline target `at` (null: none) and show what it holds beside it.
  mark(at) {
    this.at = at;
    const target = at === null ? null : this.targets[at];
    if (!target) {
      this.layer.replaceChildren();
      this.tooltip.style.visibility = "hidden";
      return;
    }
    this.layer.replaceChildren(...this.kind.outline.call(this, target));
    const lines = [].concat(this.kind.text.call(this, target));
    this.tooltip.replaceChildren(...lines.map((line) => element("div", "", line)));
    this.tooltip.style.visibility = "visible";
    const rect = this.svg.getBoundingClientRect(), ratio = rect.width / this.width;
    const left = (target.x + target.w) * ratio + 8, room = rect.width - this.tooltip.offsetWidth;
    this.tooltip.style.left = `${Math.max(0, left > room ? target.x * ratio - this.tooltip.offsetWidth - 8 : left)}px`;
    this.tooltip.style.top = `${Math.max(0, Math.min(target.y * ratio, rect.height - this.tooltip.offsetHeight))}px`;
  }
}
