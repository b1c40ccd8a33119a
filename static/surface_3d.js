// The loss surface in 3-D, drawn with canvas 2D (static/surface_panel.js mounts it; ui/surface_panel.py
// sends the grid): a box over the grid's a and b by the loss (height 0.75 of its width, as plotly's
// aspect ratio was), seen along a camera turned by azimuth and elevation (orthographic: no far end
// shrinks, so heights compare across the grid). The grid's quads are painted back to front (the
// painter's algorithm), each in the colour scale at its mean loss, darkened where it faces away from
// the light, so the shape reads without WebGL. The path is drawn above the surface at the surface's
// value under each snapshot (lifted 2% of the range, as before), θ as a white dot, θ0 as a square.
// A drag turns the view, and so do the arrow keys once it has the focus; hover reads a grid point.
// A grid wider along a than along b (Compare's shared plane) keeps one scale for a and b: the box is
// then 2 wide along a and 2·yHalf deep along b. A blob may name its colour scale (`scale`).

const {kit, SCALE, colour, colourBar, scaleOf, css, drawPath, drawStart, extent, frame, hideTip, legendEntry, nearest,
  gridPointText, pointer, tickText, tipAt, words} = await import(new URL(`surface_kit.js${new URL(import.meta.url).search}`, import.meta.url));
const {ticks, size, TEXT, FONT} = kit;

const DEGREE = Math.PI / 180;
const HEIGHT = 0.75;  // half the box's height, in units of half its width

export class Surface3d {
  constructor(host) {
    this.parts = frame(host, "sf-3d");
    // plotly's camera eye was (1.9, −1.9, 1.25): from the a > 0, b < 0 corner, about 25° up
    this.azimuth = -45;
    this.elevation = 25;
    this.hovered = null;
    const canvas = this.parts.canvas;
    canvas.addEventListener("pointerdown", (event) => {
      this.drag = pointer(canvas, event);
      canvas.setPointerCapture(event.pointerId);
      hideTip(this.parts);
    });
    canvas.addEventListener("pointermove", (event) => {
      const [x, y] = pointer(canvas, event);
      if (!this.drag) { this.hover(x, y); return; }
      this.turn((this.drag[0] - x) * 0.5, (y - this.drag[1]) * 0.4);
      this.drag = [x, y];
    });
    const stop = () => { this.drag = null; };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", () => hideTip(this.parts));
    canvas.addEventListener("keydown", (event) => this.key(event));
  }

  load(fields, arrays) {
    this.fields = fields;
    this.arrays = arrays;
    const n = this.n = arrays.alphas.length, {alphas, betas} = arrays;
    [this.low, this.high] = extent(arrays.losses);
    this.scale = fields.scale ? scaleOf(fields.scale) : SCALE;
    this.aMid = (alphas[0] + alphas[n - 1]) / 2;
    this.bMid = (betas[0] + betas[n - 1]) / 2;
    this.aHalf = (alphas[n - 1] - alphas[0]) / 2 || 1;
    this.yHalf = (betas[n - 1] - betas[0]) / 2 / this.aHalf || 1;
    words(this.parts, fields.text, fields.alt);
    this.legend();
  }

  legend() {
    const fields = this.fields;
    const {text} = fields, entries = [legendEntry(text.trajectory, (c) => drawPath(c, [[3, 7], [13, 7], [23, 7]], 2, 2.5)),
      legendEntry(text.current, (c) => dot(c, 13, 7, 4.5))];
    if (fields.starts_at_initial) entries.push(legendEntry(text.start, (c) => drawStart(c, 13, 7, 4)));
    this.parts.legend.replaceChildren(...entries);
  }

  turn(degrees, up) {
    this.azimuth = ((this.azimuth + degrees + 540) % 360) - 180;
    this.elevation = Math.max(5, Math.min(85, this.elevation + up));
    hideTip(this.parts);
    if (!this.pending) {
      this.pending = requestAnimationFrame(() => { this.pending = null; this.draw(); });
    }
  }

  key(event) {
    const turns = {ArrowLeft: [-10, 0], ArrowRight: [10, 0], ArrowUp: [0, 5], ArrowDown: [0, -5]};
    if (!(event.key in turns)) return;
    event.preventDefault();
    this.turn(...turns[event.key]);
  }

  // World coordinates of a grid value: a to [−1, 1], b to [−yHalf, yHalf], the loss to [−HEIGHT, HEIGHT].
  world(a, b, loss) {
    const range = this.high - this.low || 1;
    return [(a - this.aMid) / this.aHalf, (b - this.bMid) / this.aHalf, ((loss - this.low) / range) * 2 * HEIGHT - HEIGHT];
  }

  // The camera: screen right, screen up and towards the viewer, for this azimuth and elevation.
  camera() {
    const az = this.azimuth * DEGREE, el = this.elevation * DEGREE;
    return {right: [-Math.sin(az), Math.cos(az), 0],
            up: [-Math.sin(el) * Math.cos(az), -Math.sin(el) * Math.sin(az), Math.cos(el)],
            toward: [Math.cos(el) * Math.cos(az), Math.cos(el) * Math.sin(az), Math.sin(el)]};
  }

  layout() {
    // a phone's width is the limit: a narrower colour bar and margins there, and no more height than it fills
    const width = Math.max(280, this.parts.stage.clientWidth), narrow = width < 560, bar = narrow ? 66 : 86;
    const height = Math.round(narrow ? Math.max(260, width * 0.78) : Math.min(460, width * 0.62));
    // the floor's half diagonal: √2 for a square grid, less for one narrower along b (it turns inside that circle)
    const reach = Math.hypot(1, this.yHalf), el = this.elevation * DEGREE, tall = reach * Math.sin(el) + HEIGHT * Math.cos(el);
    const scale = Math.min((width - bar - (narrow ? 50 : 90)) / (2 * reach), (height - 64) / (2 * tall));
    // centred on the box as this camera sees it (its top and foot move as it turns up or down)
    const heights = [-1, 1].flatMap((x) => [-this.yHalf, this.yHalf].flatMap((y) => [-HEIGHT, HEIGHT].map((z) =>
      this.view.up[0] * x + this.view.up[1] * y + this.view.up[2] * z)));
    const middle = (Math.max(...heights) + Math.min(...heights)) / 2;
    return {width, height, bar, scale, cx: (width - bar) / 2, cy: 10 + height / 2 + scale * middle};
  }

  // A world point on the canvas: [x, y, depth] (a larger depth is nearer the viewer).
  project([x, y, z]) {
    const {right, up, toward} = this.view, {scale, cx, cy} = this.box;
    const dot3 = (v) => v[0] * x + v[1] * y + v[2] * z;
    return [cx + scale * dot3(right), cy - scale * dot3(up), dot3(toward)];
  }

  draw() {
    if (!this.fields) return;
    this.view = this.camera();
    this.box = this.layout();
    const {width, height, bar} = this.box, {text, separators} = this.fields;
    const context = size(this.parts.canvas, width, height);
    this.floor(context);
    this.quads(context);
    this.marks(context);
    this.axes(context, text, separators);
    colourBar(context, width - bar + 4, 24, height - 60, this.low, this.high, text.colour_title, separators, this.scale);
    this.parts.canvas.chart = this;  // for tests: the camera's angles and where a point is drawn
  }

  // Each grid cell's four corners on screen, its depth, its colour: painted far to near.
  quads(context) {
    const n = this.n, {alphas, betas, losses} = this.arrays, toward = this.view.toward;
    const corners = new Array(n * n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) corners[j * n + i] = this.project(this.world(alphas[i], betas[j], losses[j * n + i]));
    }
    this.corners = corners;
    const light = normalised([toward[0] - 0.3, toward[1] + 0.3, toward[2] + 1]);
    const cells = [];
    for (let j = 0; j < n - 1; j++) {
      for (let i = 0; i < n - 1; i++) {
        const ks = [j * n + i, j * n + i + 1, (j + 1) * n + i + 1, (j + 1) * n + i];
        const mean = (losses[ks[0]] + losses[ks[1]] + losses[ks[2]] + losses[ks[3]]) / 4;
        const w = ks.map((k) => this.world(alphas[k % n], betas[Math.floor(k / n)], losses[k]));
        const normal = normalised(cross(minus(w[2], w[0]), minus(w[3], w[1])));
        const shade = 0.72 + 0.28 * Math.abs(normal[0] * light[0] + normal[1] * light[1] + normal[2] * light[2]);
        const depth = (corners[ks[0]][2] + corners[ks[1]][2] + corners[ks[2]][2] + corners[ks[3]][2]) / 4;
        cells.push({ks, depth, fill: css(colour(mean, this.low, this.high, this.scale), shade)});
      }
    }
    cells.sort((p, q) => p.depth - q.depth);
    this.cells = cells;
    context.lineWidth = 0.6;
    context.lineJoin = "round";
    for (const cell of cells) {
      context.beginPath();
      for (const k of cell.ks) context.lineTo(corners[k][0], corners[k][1]);
      context.closePath();
      context.fillStyle = context.strokeStyle = cell.fill;  // the stroke closes the hairline seams between quads
      context.fill();
      context.stroke();
    }
  }

  // The floor of the box under the surface, as a frame to read the turn by.
  floor(context) {
    const at = (x, y) => this.project([x, y * this.yHalf, -HEIGHT]);
    const c = [at(-1, -1), at(1, -1), at(1, 1), at(-1, 1)];
    context.fillStyle = "#f3f3f3";
    context.strokeStyle = "#b5b5b5";
    context.lineWidth = 1;
    context.beginPath();
    c.forEach(([x, y]) => context.lineTo(x, y));
    context.closePath();
    context.fill();
    context.stroke();
  }

  // Ticks along the floor's two nearest edges (a and b), and a vertical loss axis at its leftmost corner.
  axes(context, text, separators) {
    const toward = this.view.toward, yHalf = this.yHalf, n = this.n, {alphas, betas} = this.arrays;
    const nearB = toward[1] >= 0 ? yHalf : -yHalf, nearA = toward[0] >= 0 ? 1 : -1;  // the edges facing the viewer
    context.font = FONT;
    context.fillStyle = TEXT;
    context.textAlign = "center";
    context.textBaseline = "middle";
    const outward = (x, y, dx, dy, push) => {
      const [px, py] = this.project([x, y, -HEIGHT]), [qx, qy] = this.project([x + dx, y + dy, -HEIGHT]);
      const length = Math.hypot(qx - px, qy - py) || 1;
      return [px + ((qx - px) / length) * push, py + ((qy - py) / length) * push];
    };
    // Each axis's numbers as many as fit without two touching (fewer on a phone; none on an edge seen
    // end-on), none over an axis's title, nor at the corner the two edges share.
    const numbers = (low, high, at) => [4, 3, 2].map((count) => ticks(low, high, count)).find((list) => {
      if (list.length < 2) return false;
      const [x0, y0] = at(list[0]), [x1, y1] = at(list[1]);
      const widest = Math.max(...list.map((value) => context.measureText(tickText(value, list, separators)).width));
      return Math.abs(x1 - x0) > widest + 6 || Math.abs(y1 - y0) > 16;
    }) || [];
    const aPlace = (value) => (value - this.aMid) / this.aHalf, bPlace = (value) => (value - this.bMid) / this.aHalf;
    const aAt = (value) => outward(aPlace(value), nearB, 0, Math.sign(nearB), 14);
    const bAt = (value) => outward(nearA, bPlace(value), nearA, 0, 14);
    const aTicks = numbers(alphas[0], alphas[n - 1], aAt), bTicks = numbers(betas[0], betas[n - 1], bAt);
    // the axes' titles mid-edge, in bold; a number whose box would touch a title's is left out
    context.font = `bold ${FONT}`;
    const titles = [[text.a_title, outward(0, nearB, 0, Math.sign(nearB), 22)], [text.b_title, outward(nearA, 0, nearA, 0, 22)]]
      .map(([title, [x, y]]) => ({title, x, y, half: context.measureText(title).width / 2}));
    titles.forEach(({title, x, y}) => context.fillText(title, x, y));
    context.font = FONT;
    this.numbers = {a: [], b: []};  // what each axis writes, for tests
    const write = (axis, list, value, at) => {
      const label = tickText(value, list, separators), half = context.measureText(label).width / 2;
      const [ax, y] = at(value), x = Math.max(half + 2, Math.min(this.box.width - this.box.bar - half, ax));  // inside the canvas
      if (titles.some((t) => Math.abs(t.x - x) < t.half + half + 3 && Math.abs(t.y - y) < 15)) return;
      this.numbers[axis].push(label);
      context.fillText(label, x, y);
    };
    for (const value of aTicks) if (Math.abs(aPlace(value) - nearA) > 1e-9) write("a", aTicks, value, aAt);
    for (const value of bTicks) if (Math.abs(bPlace(value) - nearB) > 1e-9) write("b", bTicks, value, bAt);
    context.font = FONT;
    const corners = [[-1, -yHalf], [1, -yHalf], [1, yHalf], [-1, yHalf]].map(([x, y]) => [x, y, this.project([x, y, -HEIGHT])[0]]);
    const [x, y] = corners.reduce((p, q) => (q[2] < p[2] ? q : p));
    const [bx, by] = this.project([x, y, -HEIGHT]), [tx, ty] = this.project([x, y, HEIGHT]);
    context.strokeStyle = "#8a8a8a";
    context.lineWidth = 1;
    context.beginPath();
    context.moveTo(bx, by);
    context.lineTo(tx, ty);
    context.stroke();
    const losses = ticks(this.low, this.high, 4);
    context.textAlign = "right";
    for (const value of losses) {
      const [px, py] = this.project([x, y, this.world(0, 0, value)[2]]);
      context.fillRect(px - 4, py, 4, 1);
      context.fillText(tickText(value, losses, separators), px - 6, py);
    }
    context.textAlign = "left";
    context.textBaseline = "bottom";
    context.fillText(text.z_title, Math.max(2, tx - 40), Math.max(14, ty - 8));
  }

  // The path at the surface's value under each snapshot, lifted 2% of the range; θ0 and θ.
  marks(context) {
    const {path_a: a, path_b: b, path_loss: loss} = this.arrays, lift = 0.02 * (this.high - this.low);
    this.points = Array.from(a, (value, k) => this.project(this.world(value, b[k], loss[k] + lift)));
    drawPath(context, this.points.map(([x, y]) => [x, y]), 3, 3);
    if (this.fields.starts_at_initial && this.points.length) drawStart(context, this.points[0][0], this.points[0][1], 4.5);
    const [x, y] = this.project(this.world(0, 0, this.fields.current_loss + lift));
    dot(context, x, y, 6);
    this.centre = [x, y];
  }

  snapshotText(k) { return this.fields.path_surface[k]; }

  pointText(i, j) { return gridPointText(this, i, j); }

  hover(x, y) {
    if (!this.cells) return;
    const snapshot = nearest(this.points.map(([px, py]) => [px, py]), x, y, 7);
    if (snapshot >= 0) { tipAt(this.parts, x, y, this.snapshotText(snapshot)); return; }
    for (let c = this.cells.length - 1; c >= 0; c--) {  // the nearest cell under the pointer is the one seen
      const polygon = this.cells[c].ks.map((k) => this.corners[k]);
      if (!inside(polygon, x, y)) continue;
      const k = this.cells[c].ks.reduce((p, q) => (distance(this.corners[q], x, y) < distance(this.corners[p], x, y) ? q : p));
      tipAt(this.parts, x, y, this.pointText(k % this.n, Math.floor(k / this.n)));
      return;
    }
    hideTip(this.parts);
  }
}

// θ: a white dot edged in black.
function dot(context, x, y, r) {
  context.beginPath();
  context.arc(x, y, r, 0, 2 * Math.PI);
  context.fillStyle = "#ffffff";
  context.strokeStyle = "#000000";
  context.lineWidth = 2;
  context.fill();
  context.stroke();
}

const minus = (p, q) => [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
const cross = (p, q) => [p[1] * q[2] - p[2] * q[1], p[2] * q[0] - p[0] * q[2], p[0] * q[1] - p[1] * q[0]];
const distance = (p, x, y) => (p[0] - x) ** 2 + (p[1] - y) ** 2;

function normalised(v) {
  const length = Math.hypot(...v) || 1;
  return v.map((c) => c / length);
}

// Whether (x, y) lies inside the polygon (even-odd rule).
function inside(polygon, x, y) {
  let result = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i], [xj, yj] = polygon[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}
