// Tiles for the chart kit (static/chart_kit.js calls these with `this` its Chart): several small signed
// images (a gradient's 28×28 map per hidden unit) side by side on one diverging colour scale (blue
// negative, white 0, red positive, ±limit), each under its title, greyed ones under a grey veil (a
// unit whose map is exactly 0), and the shared colour bar; the pointer or the arrow keys mark one
// pixel of one tile and read "unit k, pixel i: value".

const version = new URL(import.meta.url).search;  // "?v=…": what this file's neighbours are fetched with
const near = (name) => import(new URL(`${name}${version}`, import.meta.url));
const [{fill, svgNode}, {cellAt, colourBar, colourOn, outlined, picture}] = await Promise.all(
  ["panel_kit.js", "chart_cells.js"].map(near));

const GAP = 6;  // pixels of the image between two tiles, as figures.image_grid's gap
const MARK = "#000000";

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
    const nodes = [], pictures = this.pictures || (this.pictures = []), colour = colourOn(f.colours, -f.limit, f.limit);
    this.targets = [];
    for (let k = 0; k < count; k++) {
      const x = margin.l + (k % columns) * step, y = margin.t + Math.floor(k / columns) * (title + tile + cell * GAP) + title;
      nodes.push(svgNode("text", {x: x + tile / 2, y: y - 4, "text-anchor": "middle", class: "ck-tile-title"}, f.titles[k]));
      pictures[k] = pictures[k] || picture(this.arrays.values, k * side * side, side, side, colour);
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
    nodes.push(...colourBar(this, box, {stops: f.colours, low: -f.limit, high: f.limit, title: f.colorbar_title}));
    return nodes;
  },

  // The tile under the point, then the pixel of it.
  hit(x, y) {
    const f = this.fields, {columns, cell, tile, step, title, margin} = this.layout, side = f.side;
    const k = cellAt(x, y, {left: margin.l, top: margin.t + title, rows: Math.ceil(f.tiles / columns), columns,
                            width: tile, height: tile, stepX: step, stepY: title + tile + cell * GAP});
    if (k === null || k >= f.tiles) return null;
    const inX = x - margin.l - (k % columns) * step, inY = y - margin.t - title - Math.floor(k / columns) * (title + tile + cell * GAP);
    const pixel = cellAt(inX, inY, {left: 0, top: 0, rows: side, columns: side, width: cell, height: cell});
    return pixel === null ? null : k * side * side + pixel;
  },

  row() {
    return this.fields.side;
  },

  outline(target) {
    return outlined(target, MARK, 1.5);
  },

  text(target) {
    const f = this.fields, value = this.arrays.values[target.series * f.side * f.side + target.index];
    const shown = f.decimals == null ? this.precise(value, 4) : this.fixed(value, f.decimals);
    return fill(f.hover, {tile: target.series + 1, pixel: this.count(target.index + 1), value: shown});
  },
};
