// The loss surface seen from above (static/surface_panel.js mounts it; ui/surface_panel.py sends the
// grid): the grid's losses as a heat map in viridis, smoothed between grid points by the canvas's own
// scaling, contour lines at round levels (marching squares), the colour bar, the axes in grid units
// (a along d1, b along d2), the projected training path (white dots), θ0 and the straight line from it
// to θ (projected, dashed), and θ as a star at (0, 0). Hover, or the arrow keys once the chart has the
// focus, read the loss and accuracy at a grid point, or a snapshot's step and distance off the plane.
// The grid may be wider along a than along b (Compare's shared plane, static/surface_runs.js): a and b
// keep one scale on screen. A blob may name its colour scale (`scale`) and where its colours stop (`cap`).

const {kit, SCALE, colour, colourBar, scaleOf, drawPath, drawStar, drawStart, extent, frame, hideTip, legendEntry, nearest,
  gridPointText, pointer, tickText, tipAt, words} = await import(new URL(`surface_kit.js${new URL(import.meta.url).search}`, import.meta.url));
const {ticks, size, TEXT, FONT} = kit;

export class SurfaceMap {
  constructor(host) {
    this.parts = frame(host, "sf-map");
    this.cursor = null;  // the grid point the keys are on: [i, j]
    const canvas = this.parts.canvas;
    canvas.addEventListener("pointermove", (event) => this.hover(...pointer(canvas, event)));
    canvas.addEventListener("pointerleave", () => { this.cursor = null; hideTip(this.parts); this.draw(); });
    canvas.addEventListener("keydown", (event) => this.key(event));
    canvas.addEventListener("blur", () => hideTip(this.parts));
  }

  load(fields, arrays) {
    this.fields = fields;
    this.arrays = arrays;
    const n = arrays.alphas.length;
    this.n = n;
    this.aRange = [arrays.alphas[0], arrays.alphas[n - 1]];
    this.bRange = [arrays.betas[0], arrays.betas[n - 1]];
    [this.low, this.high] = extent(arrays.losses);
    this.scale = fields.scale ? scaleOf(fields.scale) : SCALE;
    // the colours' top: the highest loss, or the cap above which every loss has the darkest colour
    this.top = fields.cap ?? this.high;
    this.levels = fields.cap === undefined ? ticks(this.low, this.high, 20)
      : Array.from({length: 19}, (_, k) => this.low + ((k + 1) * (this.top - this.low)) / 20);
    this.image = this.heat();
    words(this.parts, fields.text, fields.alt);
    this.legend();
  }

  // The grid as an n x n image, row 0 at the top (the largest b).
  heat() {
    const n = this.n, losses = this.arrays.losses;
    const image = document.createElement("canvas");
    image.width = image.height = n;
    const context = image.getContext("2d");
    const pixels = context.createImageData(n, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const [r, g, b] = colour(losses[j * n + i], this.low, this.top, this.scale), k = 4 * ((n - 1 - j) * n + i);
        pixels.data[k] = r; pixels.data[k + 1] = g; pixels.data[k + 2] = b; pixels.data[k + 3] = 255;
      }
    }
    context.putImageData(pixels, 0, 0);
    return image;
  }

  legend() {
    const {text, starts_at_initial: initial} = this.fields, entries = [];
    entries.push(legendEntry(text.trajectory, (c) => drawPath(c, [[3, 7], [13, 7], [23, 7]], 2, 2.5)));
    entries.push(legendEntry(text.current, (c) => drawStar(c, 13, 7, 6)));
    if (initial) {
      entries.push(legendEntry(text.start, (c) => drawStart(c, 13, 7, 4)));
      entries.push(legendEntry(text.line, (c) => dashed(c, [[2, 7], [24, 7]])));
    }
    this.parts.legend.replaceChildren(...entries);
  }

  // Sizes from the width the page gives: a plot as wide as fits, at most 440 px tall, a and b at one scale.
  layout() {
    const width = Math.max(260, this.parts.stage.clientWidth), [a0, a1] = this.aRange, [b0, b1] = this.bRange;
    const aspect = (a1 - a0) / (b1 - b0 || 1), left = 52, bar = 78;
    const wide = Math.max(160, Math.min(440 * aspect, width - left - bar - 8)), tall = wide / aspect;
    return {width: left + wide + bar, height: tall + 52, left, top: 8, wide, tall};
  }

  // A grid coordinate (a or b) to the canvas: x from the left edge, y from the top.
  toX(a) { return this.box.left + ((a - this.aRange[0]) / (this.aRange[1] - this.aRange[0])) * this.box.wide; }
  toY(b) { return this.box.top + ((this.bRange[1] - b) / (this.bRange[1] - this.bRange[0])) * this.box.tall; }

  draw() {
    if (!this.fields) return;
    const box = this.box = this.layout(), {left, top, wide, tall} = box, {text, separators} = this.fields;
    const context = size(this.parts.canvas, box.width, box.height);
    context.imageSmoothingEnabled = true;
    context.drawImage(this.image, 0.5, 0.5, this.n - 1, this.n - 1, left, top, wide, tall);
    this.contours(context);
    this.axes(context, text, separators);
    colourBar(context, left + wide + 10, top, tall, this.low, this.top, text.colour_title, separators, this.scale);
    this.marks(context);
    if (this.cursor) {
      const [i, j] = this.cursor, x = this.toX(this.arrays.alphas[i]), y = this.toY(this.arrays.betas[j]);
      context.strokeStyle = "#000000";
      context.lineWidth = 1.5;
      context.strokeRect(x - 5, y - 5, 10, 10);
      context.strokeStyle = "#ffffff";
      context.strokeRect(x - 6.5, y - 6.5, 13, 13);
    }
    this.parts.canvas.chart = this;  // for tests: where a grid point is drawn (toX, toY)
  }

  // Contour lines by marching squares: in each cell, where the level crosses its edges, linearly.
  contours(context) {
    const n = this.n, losses = this.arrays.losses, {alphas, betas} = this.arrays;
    context.strokeStyle = "rgba(0, 0, 0, 0.35)";
    context.lineWidth = 0.8;
    context.beginPath();
    for (const level of this.levels) {
      for (let j = 0; j < n - 1; j++) {
        for (let i = 0; i < n - 1; i++) {
          const corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
          const values = corners.map(([ci, cj]) => losses[cj * n + ci]);
          const crossings = [];
          for (let e = 0; e < 4; e++) {
            const v0 = values[e], v1 = values[(e + 1) % 4];
            if ((v0 < level) !== (v1 < level)) {
              const f = (level - v0) / (v1 - v0), [i0, j0] = corners[e], [i1, j1] = corners[(e + 1) % 4];
              crossings.push([this.toX(alphas[i0] + f * (alphas[i1] - alphas[i0])),
                              this.toY(betas[j0] + f * (betas[j1] - betas[j0]))]);
            }
          }
          for (let k = 0; k + 1 < crossings.length; k += 2) {
            context.moveTo(...crossings[k]);
            context.lineTo(...crossings[k + 1]);
          }
        }
      }
    }
    context.stroke();
  }

  axes(context, text, separators) {
    const {left, top, wide, tall} = this.box;
    const aTicks = ticks(...this.aRange, Math.max(3, Math.floor(wide / 70)));
    const bTicks = ticks(...this.bRange, Math.max(3, Math.floor(tall / 70)));
    context.font = FONT;
    context.fillStyle = TEXT;
    context.strokeStyle = "#8a8a8a";
    context.lineWidth = 1;
    context.strokeRect(left + 0.5, top + 0.5, wide - 1, tall - 1);
    context.textAlign = "center";
    context.textBaseline = "top";
    for (const value of aTicks) {
      const x = this.toX(value);
      context.fillRect(x, top + tall, 1, 4);
      context.fillText(tickText(value, aTicks, separators), x, top + tall + 6);
    }
    context.textAlign = "right";
    context.textBaseline = "middle";
    for (const value of bTicks) {
      const y = this.toY(value);
      context.fillRect(left - 4, y, 4, 1);
      context.fillText(tickText(value, bTicks, separators), left - 7, y);
    }
    context.textAlign = "center";
    context.textBaseline = "bottom";
    context.fillText(text.a_title, left + wide / 2, top + tall + 42);
    context.save();
    context.translate(14, top + tall / 2);
    context.rotate(-Math.PI / 2);
    context.fillText(text.b_title, 0, 0);
    context.restore();
  }

  // The path, θ0 and the straight line to θ, θ: clipped to the plot (a path may leave the grid).
  marks(context) {
    const {path_a: a, path_b: b} = this.arrays;
    this.points = Array.from(a, (value, k) => [this.toX(value), this.toY(b[k])]);
    context.save();
    this.clip(context);
    context.clip();
    const centre = [this.toX(0), this.toY(0)];
    if (this.fields.starts_at_initial) dashed(context, [this.points[0], centre]);
    drawPath(context, this.points);
    if (this.fields.starts_at_initial) drawStart(context, ...this.points[0]);
    drawStar(context, ...centre);
    context.restore();
  }

  // Drawing from here on stays inside the plot (a path may leave the grid).
  clip(context) {
    context.beginPath();
    context.rect(this.box.left, this.box.top, this.box.wide, this.box.tall);
    context.clip();
  }

  // The grid point nearest to (a, b): [i, j].
  gridPoint(a, b) {
    const n = this.n, [a0, a1] = this.aRange, [b0, b1] = this.bRange;
    const clamp = (k) => Math.max(0, Math.min(n - 1, k));
    return [clamp(Math.round(((a - a0) / (a1 - a0)) * (n - 1))), clamp(Math.round(((b - b0) / (b1 - b0)) * (n - 1)))];
  }

  snapshotText(k) { return this.fields.path_map[k]; }

  pointText(i, j) { return gridPointText(this, i, j); }

  hover(x, y) {
    if (!this.box) return;
    const {left, top, wide, tall} = this.box, [a0, a1] = this.aRange, [b0, b1] = this.bRange;
    const snapshot = nearest(this.points || [], x, y, 7);
    if (snapshot >= 0) {
      this.cursor = null;
      this.draw();
      tipAt(this.parts, x, y, this.snapshotText(snapshot));
      return;
    }
    if (x < left || x > left + wide || y < top || y > top + tall) { this.cursor = null; hideTip(this.parts); this.draw(); return; }
    this.cursor = this.gridPoint(a0 + ((x - left) / wide) * (a1 - a0), b1 - ((y - top) / tall) * (b1 - b0));
    this.draw();
    tipAt(this.parts, x, y, this.pointText(...this.cursor));
  }

  key(event) {
    const moves = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1]};
    if (!(event.key in moves) || !this.box) return;
    event.preventDefault();
    const half = (this.n - 1) / 2, [di, dj] = moves[event.key];
    const [i, j] = this.cursor || [half, half];
    this.cursor = this.cursor ? [Math.max(0, Math.min(this.n - 1, i + di)), Math.max(0, Math.min(this.n - 1, j + dj))] : [i, j];
    this.draw();
    const [ci, cj] = this.cursor;
    tipAt(this.parts, this.toX(this.arrays.alphas[ci]), this.toY(this.arrays.betas[cj]), this.pointText(ci, cj));
  }
}

// A dashed line, black under white so it shows on dark and light colours alike.
function dashed(context, [[x0, y0], [x1, y1]]) {
  context.save();
  context.lineWidth = 2;
  for (const [style, offset] of [["#000000", 0], ["#ffffff", 5]]) {
    context.strokeStyle = style;
    context.setLineDash([5, 5]);
    context.lineDashOffset = offset;
    context.beginPath();
    context.moveTo(x0, y0);
    context.lineTo(x1, y1);
    context.stroke();
  }
  context.restore();
}

