// Images and matrices for the chart kit (static/chart_kit.js calls these with `this` its Chart), one drawing for
// both: rows × columns cells coloured on a scale Python gives as stops over [low, high] (a grey image's pixels,
// black 0 to white 255; a signed matrix on the diverging scale; the confusion matrix's counts in Blues), painted
// as one picture (static/chart_cells.js), and the colour bar. An image is square, its rows and columns numbered
// from 1; a matrix fills the room, its rows and columns named, and may have Python's words written in its cells
// (dark or white, whichever reads on the cell's colour) and a block of cells outlined (the confusion matrix's
// chosen row, column or cell). On a phone a matrix with words in its cells takes the width, its colour bar
// under it, so the words stay legible. The pointer or the arrow keys (up and down a row at a time) mark a cell
// and read its hover sentence: Python's per cell, or "pixel i (row r, column c): p" filled here.

const version = new URL(import.meta.url).search;  // "?v=…": what this file's neighbours are fetched with
const near = (name) => import(new URL(`${name}${version}`, import.meta.url));
const [{AXIS, fill, svgNode, ticks}, {cellAt, colourBar, colourOn, outlined, picture}] = await Promise.all(
  ["panel_kit.js", "chart_cells.js"].map(near));

const MARK = "#D55E00";  // an image's marked pixel: seen on black and on white
const CELL_MARK = "#111111";  // a matrix's marked cell, inside it
const CHOSEN = "#ff8c00";  // the chosen cells' outline, as figures.confusion_figure drew it
const DARK_TEXT = "#3b3b3b", LIGHT_TEXT = "#ffffff";

// WCAG's relative luminance: white words on a cell darker than about mid grey, dark words otherwise (a style:
// the kit's stylesheet colours every text of its charts, over an SVG fill attribute).
function wordsOn([r, g, b]) {
  const linear = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  return luminance < 0.18 ? LIGHT_TEXT : DARK_TEXT;
}

export const imageKind = {
  draw() {
    const f = this.fields, rows = f.rows, columns = f.columns, named = !!f.x_labels;
    const across = named && !!f.texts && this.phone();  // the colour bar under the matrix: its cells get the width
    this.height = f.height - 34;
    const left = named ? Math.max(...f.y_labels.map((label) => this.measure(label))) + 30 : 40;
    const margin = {l: left, r: across ? 6 : named ? 82 : 68, t: 8, b: across ? 94 : 40};
    const room = {width: this.width - margin.l - margin.r, height: this.height - margin.t - margin.b};
    let width, height;
    if (named) {  // a matrix: its cells as wide and as high as the room allows
      [width, height] = [Math.max(40, room.width) / columns, Math.max(40, room.height) / rows];
    } else {  // an image: square pixels, and no blank under a narrow column's image
      width = height = Math.max(80, Math.min(room.width, room.height)) / Math.max(rows, columns);
      this.height = height * rows + margin.t + margin.b;
    }
    const x0 = margin.l + (named ? 0 : Math.max(0, (room.width - width * columns) / 2));
    const box = {left: x0, right: x0 + width * columns, top: margin.t, bottom: margin.t + height * rows, width, height};
    this.box = box;
    const values = this.arrays.values || this.arrays.pixels, colour = colourOn(f.stops, f.low, f.high);
    const href = this.picture || (this.picture = picture(values, 0, rows, columns, colour));
    const nodes = [
      svgNode("image", {href, x: box.left, y: box.top, width: width * columns, height: height * rows,
                        preserveAspectRatio: "none", style: "image-rendering: pixelated", class: "ck-image"}),
      ...this.kind.words.call(this, box, colour),
      svgNode("rect", {x: box.left, y: box.top, width: width * columns, height: height * rows, fill: "none", stroke: AXIS}),
      ...this.kind.chosen.call(this, box),
      ...this.kind.axes.call(this, box, named),
      ...colourBar(this, box, {stops: f.stops, low: f.low, high: f.high, title: f.colorbar_title, whole: !!f.whole, across}),
    ];
    this.targets = Array.from({length: rows * columns}, (_, i) => ({
      series: 0, index: i, x: box.left + (i % columns) * width, y: box.top + Math.floor(i / columns) * height, w: width,
      h: height}));
    return nodes;
  },

  // Python's words in the cells, all at one size: text_size, or smaller where the widest would not fit its cell.
  words(box, colour) {
    const f = this.fields;
    if (!f.texts) return [];
    const widest = Math.max(1, ...f.texts.map((text) => this.measure(text, f.text_size)));
    const size = Math.min(f.text_size, f.text_size * (box.width - 3) / widest);  // 1.5 px clear of each edge
    if (size < 6) return [];
    return f.texts.map((text, i) => {
      const x = box.left + (i % f.columns + 0.5) * box.width, y = box.top + (Math.floor(i / f.columns) + 0.5) * box.height;
      return svgNode("text", {x, y: y + size * 0.35, "text-anchor": "middle", "font-size": size.toFixed(1),
                              style: `fill: ${wordsOn(colour(this.arrays.values[i]))}; pointer-events: none`,
                              class: "ck-cell-text"}, text);
    });
  },

  // The block of cells Python outlined ([first row, last row + 1, first column, last column + 1]), if any.
  chosen(box) {
    if (!this.fields.outline) return [];
    const [r0, r1, c0, c1] = this.fields.outline;
    return [svgNode("rect", {x: box.left + c0 * box.width, y: box.top + r0 * box.height, width: (c1 - c0) * box.width,
                             height: (r1 - r0) * box.height, fill: "none", stroke: CHOSEN, "stroke-width": 3,
                             class: "ck-chosen"})];
  },

  // The rows' and columns' names (an image's numbers), and the axes' titles.
  axes(box, named) {
    const f = this.fields, nodes = [];
    const every = Math.ceil(13 / box.height);  // a row name every so many rows, never on top of each other
    const numbered = (count) => ticks(1, count, 5, true).map((v) => [v, String(v)]);
    const xMarks = named ? f.x_labels.map((label, i) => [i + 1, label]) : numbered(f.columns);
    const yMarks = named ? f.y_labels.map((label, i) => [i + 1, label]).filter(([v]) => (v - 1) % every === 0)
      : numbered(f.rows);
    for (const [v, label] of xMarks) {
      nodes.push(svgNode("text", {x: box.left + (v - 0.5) * box.width, y: box.bottom + 15, "text-anchor": "middle",
                                  class: "ck-tick"}, label));
    }
    for (const [v, label] of yMarks) {
      nodes.push(svgNode("text", {x: box.left - 6, y: box.top + (v - 0.5) * box.height + 4, "text-anchor": "end",
                                  class: "ck-tick"}, label));
    }
    nodes.push(this.xTitle(box, box.bottom + 32));
    const middle = (box.top + box.bottom) / 2, at = named ? 12 : box.left - 28;
    nodes.push(svgNode("text", {x: at, y: middle, "text-anchor": "middle", class: "ck-axis-title",
                                transform: `rotate(-90 ${at} ${middle})`}, f.y_title));
    return nodes;
  },

  hit(x, y) {
    const {left, top, width, height} = this.box;
    return cellAt(x, y, {left, top, width, height, rows: this.fields.rows, columns: this.fields.columns});
  },

  row() {
    return this.fields.columns;
  },

  outline(target) {
    return this.fields.texts ? outlined(target, CELL_MARK, 2, 1) : outlined(target, MARK, 2);
  },

  text(target) {
    const f = this.fields, i = target.index;
    if (Array.isArray(f.hover)) return f.hover[i];
    return fill(f.hover, {pixel: this.count(i + 1), row: Math.floor(i / f.columns) + 1, column: i % f.columns + 1,
                          value: this.arrays.pixels[i]});
  },
};
