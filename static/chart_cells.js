// What the chart kit's grids of cells share (static/chart_image.js: an image or a matrix; static/chart_tiles.js:
// several small images): a colour scale given as stops ([[0, colour], …, [1, colour]]) spread over [low, high],
// the one painter that draws a grid's values as a picture of that scale, the one colour bar beside (or under)
// it, which cell of a grid a point falls in, and the outline of the marked cell.

const {AXIS, svgNode, ticks} = await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));

// The colour of a value on `stops` over [low, high], as [r, g, b] (a value outside, or not a number, at an end).
export function colourOn(stops, low, high) {
  const rgb = (hex) => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  const colours = stops.map(([at, hex]) => [at, rgb(hex)]);
  return (value) => {
    const t = Number.isFinite(value) ? Math.min(1, Math.max(0, (value - low) / (high - low))) : 0;
    let i = 1;
    while (i < colours.length - 1 && colours[i][0] < t) i++;
    const [a, from] = colours[i - 1], [b, to] = colours[i], share = (t - a) / (b - a || 1);
    return from.map((channel, k) => Math.round(channel + share * (to[k] - channel)));
  };
}

// `rows` × `columns` values from `offset` coloured by `colour`, a pixel each, as a data URL: shown enlarged
// without smoothing (image-rendering: pixelated), every cell stays a sharp square and no seam shows between two.
export function picture(values, offset, rows, columns, colour) {
  const canvas = document.createElement("canvas");
  canvas.width = columns;
  canvas.height = rows;
  const context = canvas.getContext("2d"), image = context.createImageData(columns, rows);
  for (let i = 0; i < rows * columns; i++) image.data.set([...colour(values[offset + i]), 255], 4 * i);
  context.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

// The colour bar of `stops` over [low, high] beside `box` (low at the foot), its title turned along it; or under it,
// `across`, low on the left (a phone's matrix, which needs the width). `whole`: integer ticks with thousands
// separators (pixel values, counts).
export function colourBar(chart, box, {stops, low, high, title, whole = false, across = false}) {
  const id = `${chart.id}-scale`, gradient = svgNode("linearGradient", across ? {id} : {id, x1: 0, y1: 1, x2: 0, y2: 0});
  for (const [offset, colour] of stops) gradient.append(svgNode("stop", {offset, "stop-color": colour}));
  const defs = svgNode("defs");
  defs.append(gradient);
  const marks = ticks(low, high, whole ? 5 : 4, whole);
  const write = (v) => (whole ? chart.count(v) : chart.fixed(v, marks.decimals));
  const share = (v) => (v - low) / (high - low);
  if (across) {
    const y = box.bottom + 44, {left, right} = box;
    const nodes = [defs, svgNode("rect", {x: left, y, width: right - left, height: 10, fill: `url(#${id})`, stroke: AXIS})];
    for (const v of marks) {
      nodes.push(svgNode("text", {x: left + (right - left) * share(v), y: y + 24, "text-anchor": "middle",
                                  class: "ck-tick"}, write(v)));
    }
    nodes.push(svgNode("text", {x: (left + right) / 2, y: y + 42, "text-anchor": "middle", class: "ck-axis-title"}, title));
    return nodes;
  }
  const x = box.right + 10, {top, bottom} = box;
  const nodes = [defs, svgNode("rect", {x, y: top, width: 12, height: bottom - top, fill: `url(#${id})`, stroke: AXIS})];
  for (const v of marks) {
    nodes.push(svgNode("text", {x: x + 16, y: bottom - (bottom - top) * share(v) + 4, class: "ck-tick"}, write(v)));
  }
  const widest = Math.max(...marks.map((v) => chart.measure(write(v))));
  const middle = (top + bottom) / 2, at = x + 16 + widest + 14;
  nodes.push(svgNode("text", {x: at, y: middle, "text-anchor": "middle", class: "ck-axis-title",
                              transform: `rotate(90 ${at} ${middle})`}, title));
  return nodes;
}

// The cell of `grid` ({left, top, rows, columns, width, height, stepX, stepY}: cells width × height, one every
// stepX across and stepY down) under the point (x, y), as row × columns + column; null between cells or outside.
export function cellAt(x, y, grid) {
  const {left, top, rows, columns, width, height} = grid, stepX = grid.stepX ?? width, stepY = grid.stepY ?? height;
  const column = Math.floor((x - left) / stepX), row = Math.floor((y - top) / stepY);
  if (column < 0 || column >= columns || row < 0 || row >= rows) return null;
  if (x - left - column * stepX >= width || y - top - row * stepY >= height) return null;
  return row * columns + column;
}

// The marked cell's outline: `colour`, `width` px wide, drawn `inset` px inside the cell.
export function outlined(target, colour, width, inset = 0) {
  return [svgNode("rect", {x: target.x + inset, y: target.y + inset, width: target.w - 2 * inset, height: target.h - 2 * inset,
                           fill: "none", stroke: colour, "stroke-width": width, class: "ck-marked"})];
}
