// Images for the chart kit (static/chart_kit.js calls these with `this` its Chart): a grey image of
// uint8 pixels (0 black, 255 white), square, its rows and columns numbered from 1 on its axes and a
// colour bar beside it; or a matrix of signed values on the diverging scale (static/chart_tiles.js),
// its rows and columns named; the pointer or the arrow keys (up and down a row at a time) mark one
// cell and read "pixel i (row r, column c): p" (a matrix: the words Python wrote for each cell). The pixels are drawn once into a canvas of their own size
// and shown enlarged without smoothing, so every pixel stays a sharp square.

const version = new URL(import.meta.url).search;  // "?v=…": what this file's neighbours are fetched with
const near = (name) => import(new URL(`${name}${version}`, import.meta.url));
const [{AXIS, fill, svgNode, ticks}, {divergingBar, signedPicture}] = await Promise.all(
  ["panel_kit.js", "chart_tiles.js"].map(near));

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
    const f = this.fields, rows = f.rows, columns = f.columns, named = !!f.x_labels;
    this.height = f.height - 34;
    const left = named ? Math.max(...f.y_labels.map((label) => this.measure(label))) + 30 : 40;
    const margin = {l: left, r: named ? 82 : 68, t: 8, b: 40};
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
    const nodes = [];
    const href = this.picture || (this.picture = f.scale === "diverging"
      ? signedPicture(this.arrays.values, 0, rows, columns, f.colours, f.limit) : picture(this.arrays.pixels, rows, columns));
    nodes.push(svgNode("image", {href, x: box.left, y: box.top, width: width * columns, height: height * rows,
                                 preserveAspectRatio: "none", style: "image-rendering: pixelated", class: "ck-image"}));
    nodes.push(svgNode("rect", {x: box.left, y: box.top, width: width * columns, height: height * rows, fill: "none",
                                stroke: AXIS}));
    const every = Math.ceil(13 / height);  // a row name every so many rows, never on top of each other
    const xMarks = named ? f.x_labels.map((label, i) => [i + 1, label]) : ticks(1, columns, 5, true).map((v) => [v, String(v)]);
    const yMarks = named ? f.y_labels.map((label, i) => [i + 1, label]).filter(([v]) => (v - 1) % every === 0)
      : ticks(1, rows, 5, true).map((v) => [v, String(v)]);
    for (const [v, label] of xMarks) {
      nodes.push(svgNode("text", {x: box.left + (v - 0.5) * width, y: box.bottom + 15, "text-anchor": "middle",
                                  class: "ck-tick"}, label));
    }
    for (const [v, label] of yMarks) {
      nodes.push(svgNode("text", {x: box.left - 6, y: box.top + (v - 0.5) * height + 4, "text-anchor": "end",
                                  class: "ck-tick"}, label));
    }
    nodes.push(svgNode("text", {x: (box.left + box.right) / 2, y: box.bottom + 32, "text-anchor": "middle",
                                class: "ck-axis-title"}, f.x_title));
    const middle = (box.top + box.bottom) / 2, at = named ? 12 : box.left - 28;
    nodes.push(svgNode("text", {x: at, y: middle, "text-anchor": "middle", class: "ck-axis-title",
                                transform: `rotate(-90 ${at} ${middle})`}, f.y_title));
    nodes.push(...(f.scale === "diverging" ? divergingBar(this, box, f.colours, f.limit, f.colorbar_title)
      : this.kind.colourBar.call(this, box)));
    this.targets = Array.from({length: rows * columns}, (_, i) => ({
      series: 0, index: i, x: box.left + (i % columns) * width, y: box.top + Math.floor(i / columns) * height, w: width,
      h: height}));
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
    const column = Math.min(f.columns - 1, Math.floor((x - box.left) / box.width));
    const row = Math.min(f.rows - 1, Math.floor((y - box.top) / box.height));
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
    if (f.cell_hover) return f.cell_hover[i];
    return fill(f.hover, {pixel: this.count(i + 1), row: Math.floor(i / f.columns) + 1, column: i % f.columns + 1,
                          value: this.arrays.pixels[i]});
  },
};
