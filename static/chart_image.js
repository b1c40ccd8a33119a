// Images for the chart kit (static/chart_kit.js calls these with `this` its Chart): a grey image of
// uint8 pixels (0 black, 255 white), square, its rows and columns numbered from 1 on its axes and a
// colour bar beside it; the pointer or the arrow keys (up and down a row at a time) mark one pixel
// and read "pixel i (row r, column c): p". The pixels are drawn once into a canvas of their own size
// and shown enlarged without smoothing, so every pixel stays a sharp square.

const {AXIS, fill, svgNode, ticks} =
  await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));

const MARK = "#D55E00";  // the marked pixel's outline: seen on black and on white

function picture(pixels, rows, columns) {
  const canvas = document.createElement("canvas");
  canvas.width = columns;
  canvas.height = rows;
  const context = canvas.getContext("2d"), image = context.createImageData(columns, rows);
  pixels.forEach((value, i) => {
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = value;
    image.data[4 * i + 3] = 255;
  });
  context.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

export const imageKind = {
  draw() {
    const f = this.fields, rows = f.rows, columns = f.columns;
    this.height = f.height - 34;
    const margin = {l: 40, r: 68, t: 8, b: 40};
    const side = Math.max(80, Math.min(this.width - margin.l - margin.r, this.height - margin.t - margin.b));
    this.height = side + margin.t + margin.b;  // no blank under a narrow column's image
    const cell = side / Math.max(rows, columns);
    const left = margin.l + Math.max(0, (this.width - margin.l - margin.r - cell * columns) / 2);
    const box = {left, right: left + cell * columns, top: margin.t, bottom: margin.t + cell * rows, cell};
    this.box = box;
    const nodes = [];
    const href = this.picture || (this.picture = picture(this.arrays.pixels, rows, columns));
    nodes.push(svgNode("image", {href, x: box.left, y: box.top, width: cell * columns, height: cell * rows,
                                 preserveAspectRatio: "none", style: "image-rendering: pixelated", class: "ck-image"}));
    nodes.push(svgNode("rect", {x: box.left, y: box.top, width: cell * columns, height: cell * rows, fill: "none",
                                stroke: AXIS}));
    for (const v of ticks(1, columns, 5, true)) {
      nodes.push(svgNode("text", {x: box.left + (v - 0.5) * cell, y: box.bottom + 15, "text-anchor": "middle",
                                  class: "ck-tick"}, String(v)));
    }
    for (const v of ticks(1, rows, 5, true)) {
      nodes.push(svgNode("text", {x: box.left - 6, y: box.top + (v - 0.5) * cell + 4, "text-anchor": "end",
                                  class: "ck-tick"}, String(v)));
    }
    nodes.push(svgNode("text", {x: (box.left + box.right) / 2, y: box.bottom + 32, "text-anchor": "middle",
                                class: "ck-axis-title"}, f.x_title));
    const middle = (box.top + box.bottom) / 2, at = box.left - 28;
    nodes.push(svgNode("text", {x: at, y: middle, "text-anchor": "middle", class: "ck-axis-title",
                                transform: `rotate(-90 ${at} ${middle})`}, f.y_title));
    nodes.push(...this.kind.colourBar.call(this, box));
    this.targets = Array.from({length: rows * columns}, (_, i) => ({
      series: 0, index: i, x: box.left + (i % columns) * cell, y: box.top + Math.floor(i / columns) * cell, w: cell, h: cell}));
    return nodes;
  },

  // The colour bar: black at 0 to white at 255, its ticks, its title turned along it.
  colourBar(box) {
    const id = `${this.id}-grey`, x = box.right + 8, top = box.top, bottom = box.bottom;
    const gradient = svgNode("linearGradient", {id, x1: 0, y1: 1, x2: 0, y2: 0});
    gradient.append(svgNode("stop", {offset: 0, "stop-color": "#000000"}), svgNode("stop", {offset: 1, "stop-color": "#ffffff"}));
    const defs = svgNode("defs");
    defs.append(gradient);
    const nodes = [defs, svgNode("rect", {x, y: top, width: 12, height: bottom - top, fill: `url(#${id})`, stroke: AXIS})];
    for (const v of ticks(0, 255, 5, true)) {
      const y = bottom - (bottom - top) * v / 255;
      nodes.push(svgNode("text", {x: x + 16, y: y + 4, class: "ck-tick"}, this.count(v)));
    }
    const middle = (top + bottom) / 2, at = x + 48;
    nodes.push(svgNode("text", {x: at, y: middle, "text-anchor": "middle", class: "ck-axis-title",
                                transform: `rotate(90 ${at} ${middle})`}, this.fields.colorbar_title));
    return nodes;
  },

  hit(x, y) {
    const box = this.box, f = this.fields;
    if (x < box.left || x >= box.right || y < box.top || y >= box.bottom) return null;
    const column = Math.min(f.columns - 1, Math.floor((x - box.left) / box.cell));
    const row = Math.min(f.rows - 1, Math.floor((y - box.top) / box.cell));
    return row * f.columns + column;
  },

  row() {
    return this.fields.columns;
  },

  outline(target) {
    return [svgNode("rect", {x: target.x, y: target.y, width: target.w, height: target.h, fill: "none", stroke: MARK,
                             "stroke-width": 2, class: "ck-marked"})];
  },

  text(target) {
    const f = this.fields, i = target.index;
    return fill(f.hover, {pixel: this.count(i + 1), row: Math.floor(i / f.columns) + 1, column: i % f.columns + 1,
                          value: this.arrays.pixels[i]});
  },
};
