// Heatmaps for the chart kit (static/chart_kit.js calls these with `this` its Chart): a matrix of
// rows × columns cells, each filled by its value on a colour scale that Python gives as stops
// ([[0, colour], …, [1, colour]] over [low, high]: a diverging one centred at 0 for the softmax
// Jacobian, Blues capped at the largest mistake for the confusion matrix); Python's words written in
// the cells (dark or white, whichever reads on the cell's colour), the rows and columns named, a
// colour bar, an optional outlined block of cells (the confusion matrix's chosen row, column or cell).
// The pointer or the arrow keys (up and down a row at a time) mark a cell and read Python's hover
// sentence for it; a click or Enter sends the cell's index, row × columns + column.

const version = new URL(import.meta.url).search;
const [{AXIS, svgNode}, {diverging, divergingBar}] = await Promise.all(
  ["panel_kit.js", "chart_tiles.js"].map((name) => import(new URL(`${name}${version}`, import.meta.url))));

const CHOSEN = "#ff8c00";  // the chosen cells' outline, as figures.confusion_figure drew it
const DARK_TEXT = "#3b3b3b", LIGHT_TEXT = "#ffffff";

// The colour of `value` on `stops` spread over [low, high] (chart_tiles.js's scale, which spans ±1 here).
function colourAt(stops, value, low, high) {
  return diverging(stops, Number.isFinite(value) ? 2 * (value - low) / (high - low) - 1 : -1, 1);
}

// WCAG's relative luminance: white words on a cell darker than about mid grey, dark words otherwise (a style:
// the kit's stylesheet colours every text of its charts, over an SVG fill attribute).
function wordsOn([r, g, b]) {
  const linear = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  return luminance < 0.18 ? LIGHT_TEXT : DARK_TEXT;
}

export const heatmapKind = {
  draw() {
    const f = this.fields, rows = f.rows, columns = f.columns, values = this.arrays.values;
    this.height = f.height - 34;
    const left = Math.max(...f.y_labels.map((label) => this.measure(label))) + 30;
    const box = {left, right: this.width - 82, top: 6, bottom: this.height - 40};
    box.cellW = (box.right - box.left) / columns;
    box.cellH = (box.bottom - box.top) / rows;
    this.box = box;
    const nodes = [];
    const size = Math.min(f.text_size || 10, box.cellW / (0.6 * Math.max(1, ...(f.texts || [""]).map((t) => t.length))));
    this.targets = [];
    for (let i = 0; i < rows * columns; i++) {
      const row = Math.floor(i / columns), column = i % columns;
      const x = box.left + column * box.cellW, y = box.top + row * box.cellH;
      const colour = colourAt(f.stops, values[i], f.low, f.high);
      nodes.push(svgNode("rect", {x, y, width: box.cellW + 0.5, height: box.cellH + 0.5, fill: `rgb(${colour})`,
                                  class: "ck-cell"}));
      if (f.texts && size >= 6) {
        nodes.push(svgNode("text", {x: x + box.cellW / 2, y: y + box.cellH / 2 + size * 0.35, "text-anchor": "middle",
                                    "font-size": size.toFixed(1), style: `fill: ${wordsOn(colour)}; pointer-events: none`,
                                    class: "ck-cell-text"},
                           f.texts[i]));
      }
      this.targets.push({series: 0, index: i, x, y, w: box.cellW, h: box.cellH});
    }
    nodes.push(svgNode("rect", {x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top,
                                fill: "none", stroke: AXIS}));
    if (f.outline) {
      const [r0, r1, c0, c1] = f.outline;
      nodes.push(svgNode("rect", {x: box.left + c0 * box.cellW, y: box.top + r0 * box.cellH, width: (c1 - c0) * box.cellW,
                                  height: (r1 - r0) * box.cellH, fill: "none", stroke: CHOSEN, "stroke-width": 3,
                                  class: "ck-chosen"}));
    }
    f.x_labels.forEach((label, column) => nodes.push(svgNode("text", {
      x: box.left + (column + 0.5) * box.cellW, y: box.bottom + 15, "text-anchor": "middle", class: "ck-tick"}, label)));
    f.y_labels.forEach((label, row) => nodes.push(svgNode("text", {
      x: box.left - 6, y: box.top + (row + 0.5) * box.cellH + 4, "text-anchor": "end", class: "ck-tick"}, label)));
    nodes.push(this.xTitle(box, this.height - 4));
    const middle = (box.top + box.bottom) / 2;
    nodes.push(svgNode("text", {x: 12, y: middle, "text-anchor": "middle", class: "ck-axis-title",
                                transform: `rotate(-90 12 ${middle})`}, f.y_title));
    nodes.push(...divergingBar(this, box, f.stops, null, f.colorbar_title, f.low, f.high));
    return nodes;
  },

  hit(x, y) {
    const box = this.box, f = this.fields;
    if (x < box.left || x >= box.right || y < box.top || y >= box.bottom) return null;
    const column = Math.min(f.columns - 1, Math.floor((x - box.left) / box.cellW));
    const row = Math.min(f.rows - 1, Math.floor((y - box.top) / box.cellH));
    return row * f.columns + column;
  },

  row() {
    return this.fields.columns;
  },

  outline(target) {
    return [svgNode("rect", {x: target.x + 1, y: target.y + 1, width: target.w - 2, height: target.h - 2, fill: "none",
                             stroke: "#111111", "stroke-width": 2, class: "ck-marked"})];
  },

  text(target) {
    return this.fields.hover[target.index];
  },
};
