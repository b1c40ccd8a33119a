// Tiles for the chart kit (static/chart_kit.js calls these with `this` its Chart): several small signed
// images (a gradient's 28×28 map per hidden unit) side by side on one diverging colour scale (blue
// negative, white 0, red positive, ±limit), each under its title, greyed ones under a grey veil (a
// unit whose map is exactly 0), and the shared colour bar; the pointer or the arrow keys mark one
// pixel of one tile and read "unit k, pixel i: value". Also the diverging colours every kind uses.

const {AXIS, fill, svgNode, ticks} =
  await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));

const GAP = 6;  // pixels of the image between two tiles, as figures.image_grid's gap
const MARK = "#000000";

// The colour of `value` on the scale `stops` ([[0, "#053061"], …, [1, "#67001f"]]) over ±limit, as [r, g, b].
export function diverging(stops, value, limit) {
  const t = Math.min(1, Math.max(0, (value / limit + 1) / 2));
  let i = 1;
  while (i < stops.length - 1 && stops[i][0] < t) i++;
  const [a, from] = stops[i - 1], [b, to] = stops[i], share = (t - a) / (b - a || 1);
  const rgb = (hex) => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  const [p, q] = [rgb(from), rgb(to)];
  return p.map((channel, k) => Math.round(channel + share * (q[k] - channel)));
}

// A picture of `count` values from `offset` (rows × columns) on the diverging scale, as a data URL.
export function signedPicture(values, offset, rows, columns, stops, limit) {
  const canvas = document.createElement("canvas");
  canvas.width = columns;
  canvas.height = rows;
  const context = canvas.getContext("2d"), image = context.createImageData(columns, rows);
  for (let i = 0; i < rows * columns; i++) {
    const [r, g, b] = diverging(stops, values[offset + i], limit);
    image.data.set([r, g, b, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

// The colour bar of a diverging scale beside `box`: −limit at the foot, +limit at the top, its title turned
// (or the scale spread over [low, high]: the confusion matrix's counts, static/chart_heatmap.js).
export function divergingBar(chart, box, stops, limit, title, low = -limit, high = limit) {
  const id = `${chart.id}-scale`, x = box.right + 10, top = box.top, bottom = box.bottom;
  const gradient = svgNode("linearGradient", {id, x1: 0, y1: 1, x2: 0, y2: 0});
  for (const [offset, colour] of stops) gradient.append(svgNode("stop", {offset, "stop-color": colour}));
  const defs = svgNode("defs");
  defs.append(gradient);
  const nodes = [defs, svgNode("rect", {x, y: top, width: 12, height: bottom - top, fill: `url(#${id})`, stroke: AXIS})];
  const marks = ticks(low, high, 4);
  for (const v of marks) {
    const y = bottom - (bottom - top) * (v - low) / (high - low);
    nodes.push(svgNode("text", {x: x + 16, y: y + 4, class: "ck-tick"}, chart.fixed(v, marks.decimals)));
  }
  const middle = (top + bottom) / 2, at = x + 58;
  nodes.push(svgNode("text", {x: at, y: middle, "text-anchor": "middle", class: "ck-axis-title",
                              transform: `rotate(90 ${at} ${middle})`}, title));
  return nodes;
}

export const tilesKind = {
  draw() {
    const f = this.fields, side = f.side, count = f.tiles;
    const margin = {l: 4, r: 82, t: 4, b: 4}, title = 16;
    const sized = (c) => Math.max(1, (this.width - margin.l - margin.r) / (c * side + (c - 1) * GAP));
    // as many a row as the spec asks, fewer when a tile would be narrower than its title (a phone)
    const widest = Math.max(...f.titles.map((text) => this.measure(text, 11))) + 4;
    let columns = f.columns;
    while (columns > 1 && sized(columns) * side < widest) columns--;
    const rows = Math.ceil(count / columns), cell = sized(columns);
    const tile = cell * side, step = tile + cell * GAP;
    this.height = margin.t + rows * (title + tile) + (rows - 1) * cell * GAP + margin.b;
    this.layout = {columns, cell, tile, step, title, margin};
    const nodes = [], pictures = this.pictures || (this.pictures = []);
    this.targets = [];
    for (let k = 0; k < count; k++) {
      const x = margin.l + (k % columns) * step, y = margin.t + Math.floor(k / columns) * (title + tile + cell * GAP) + title;
      nodes.push(svgNode("text", {x: x + tile / 2, y: y - 4, "text-anchor": "middle", class: "ck-tile-title"}, f.titles[k]));
      pictures[k] = pictures[k] || signedPicture(this.arrays.values, k * side * side, side, side, f.colours, f.limit);
      nodes.push(svgNode("image", {href: pictures[k], x, y, width: tile, height: tile, preserveAspectRatio: "none",
                                   style: "image-rendering: pixelated", class: "ck-image"}));
      if (f.greyed[k]) {
        nodes.push(svgNode("rect", {x, y, width: tile, height: tile, fill: "rgba(190,190,190,0.55)", stroke: "#BBBBBB",
                                    "stroke-dasharray": "2 2"}));
      }
      for (let p = 0; p < side * side; p++) {
        this.targets.push({series: k, index: p, x: x + (p % side) * cell, y: y + Math.floor(p / side) * cell, w: cell, h: cell});
      }
    }
    const box = {left: margin.l, right: margin.l + columns * step - cell * GAP, top: margin.t + title,
                 bottom: this.height - margin.b};
    this.box = box;
    nodes.push(...divergingBar(this, box, f.colours, f.limit, f.colorbar_title));
    return nodes;
  },

  hit(x, y) {
    const f = this.fields, {columns, cell, tile, step, title, margin} = this.layout, side = f.side;
    const column = Math.floor((x - margin.l) / step), row = Math.floor((y - margin.t) / (title + tile + cell * GAP));
    const k = row * columns + column;
    if (column < 0 || column >= columns || k < 0 || k >= f.tiles) return null;
    const inX = x - margin.l - column * step, inY = y - margin.t - row * (title + tile + cell * GAP) - title;
    if (inX < 0 || inX >= tile || inY < 0 || inY >= tile) return null;
    return k * side * side + Math.floor(inY / cell) * side + Math.floor(inX / cell);
  },

  row() {
    return this.fields.side;
  },

  outline(target) {
    return [svgNode("rect", {x: target.x, y: target.y, width: target.w, height: target.h, fill: "none", stroke: MARK,
                             "stroke-width": 1.5, class: "ck-marked"})];
  },

  text(target) {
    const f = this.fields, value = this.arrays.values[target.series * f.side * f.side + target.index];
    return fill(f.hover, {tile: target.series + 1, pixel: this.count(target.index + 1), value: this.precise(value, 4)});
  },
};
