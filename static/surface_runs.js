// Compare's shared plane (ui/compare_figures.py sends it; static/surface_panel.js mounts it): the Loss
// surface's two views of a grid, with every run's path instead of one. From above (RunsMap): the loss
// in greys up to a cap (higher ground in the darkest grey), contour lines, each run's projected path in
// its colour and dash, a dot at each snapshot and ◆ at its end, the centre c as ☆. In 3-D (Runs3d): the
// grey surface with each path just above it at the surface's value under each snapshot. Hover reads a
// grid point or a snapshot (its text names the run first); on the map the arrow keys walk the grid and
// Page Up / Page Down go from snapshot to snapshot, run by run. Every word comes from Python.

const version = new URL(import.meta.url).search;  // "?v=…": what this file was fetched with
const [{kit, drawStar, general, legendEntry, tipAt}, {SurfaceMap}, {Surface3d}] = await Promise.all(
  ["surface_kit.js", "surface_map.js", "surface_3d.js"].map((name) => import(new URL(`${name}${version}`, import.meta.url))));
const {fill, fixed} = kit;

const DASHES = {solid: [], dash: [7, 4], dot: [2, 3], dashdot: [7, 3, 2, 3]};  // plotly's, as figures.DASHES names them

// The runs of a blob, each with its path's arrays: a and b on the plane, the surface's loss under each snapshot.
function runsOf(fields, arrays) {
  return fields.runs.map((run, k) => ({...run, a: arrays[`a${k}`], b: arrays[`b${k}`], surface: arrays[`surface${k}`]}));
}

// A run's line through `points` in its colour and dash.
function runLine(context, points, run, width) {
  context.save();
  context.strokeStyle = run.colour;
  context.lineWidth = width;
  context.lineJoin = "round";
  context.setLineDash(DASHES[run.dash] || []);
  context.beginPath();
  points.forEach(([x, y], k) => (k ? context.lineTo(x, y) : context.moveTo(x, y)));
  context.stroke();
  context.restore();
}

function dots(context, points, colour, r) {
  context.fillStyle = colour;
  for (const [x, y] of points) {
    context.beginPath();
    context.arc(x, y, r, 0, 2 * Math.PI);
    context.fill();
  }
}

// A run's end: ◆ in its colour, edged in black.
function diamond(context, x, y, r, colour) {
  context.beginPath();
  [[0, -r], [r, 0], [0, r], [-r, 0]].forEach(([dx, dy]) => context.lineTo(x + dx, y + dy));
  context.closePath();
  context.fillStyle = colour;
  context.strokeStyle = "#000000";
  context.lineWidth = 1.5;
  context.fill();
  context.stroke();
}

// "a {a}, b {b}: loss {loss}" at grid point (i, j), a and b to three significant digits.
function gridText(view, i, j) {
  const {text, separators} = view.fields, {alphas, betas, losses} = view.arrays;
  return fill(text.hover, {a: general(alphas[i], 3, separators), b: general(betas[j], 3, separators),
                           loss: fixed(losses[j * view.n + i], 4, separators)});
}

// Every run's snapshots as drawn: their points, and whose they are ([run, snapshot] each).
function placed(view, at) {
  view.points = [];
  view.owners = [];
  return view.runs.map((run, r) => {
    const points = Array.from(run.a, (a, k) => at(a, run.b[k], run.surface[k]));
    points.forEach((point, k) => { view.points.push([point[0], point[1]]); view.owners.push([r, k]); });
    return points;
  });
}

function snapshotText(view, k) {
  const [r, s] = view.owners[k];
  return view.runs[r].texts[s];
}

export class RunsMap extends SurfaceMap {
  load(fields, arrays) {
    this.runs = runsOf(fields, arrays);
    this.snapshot = null;  // the snapshot Page Up / Page Down are on
    super.load(fields, arrays);
  }

  legend() {
    const entries = this.runs.map((run) => legendEntry(run.name, (c) => {
      runLine(c, [[1, 7], [25, 7]], run, 2.5);
      diamond(c, 13, 7, 5, run.colour);
    }));
    entries.push(legendEntry(this.fields.text.centre, (c) => drawStar(c, 13, 7, 6)));
    this.parts.legend.replaceChildren(...entries);
  }

  marks(context) {
    context.save();
    this.clip(context);
    const paths = placed(this, (a, b) => [this.toX(a), this.toY(b)]);
    paths.forEach((points, r) => {
      const run = this.runs[r];
      runLine(context, points, run, 3);
      dots(context, points, run.colour, 2.5);
      if (points.length) diamond(context, ...points[points.length - 1], 6.5, run.colour);
    });
    this.centre = [this.toX(0), this.toY(0)];
    drawStar(context, ...this.centre, 8);
    context.restore();
    if (this.snapshot !== null) {
      const [x, y] = this.points[this.snapshot];
      context.strokeStyle = "#000000";
      context.lineWidth = 1.5;
      context.strokeRect(x - 8, y - 8, 16, 16);
    }
  }

  snapshotText(k) { return snapshotText(this, k); }

  // The grid's loss at (i, j), and every snapshot drawn nearest that grid point (the keys' read-out names the runs there).
  pointText(i, j) {
    const here = this.owners.filter(([r, s]) => {
      const [gi, gj] = this.gridPoint(this.runs[r].a[s], this.runs[r].b[s]);
      return gi === i && gj === j;
    }).map(([r, s]) => this.runs[r].texts[s]);
    return [gridText(this, i, j), ...here].join("\n");
  }

  // Everything drawn under the pointer: the centre, then every snapshot there (the paths all start at θ0).
  hover(x, y) {
    const close = ([px, py], reach) => Math.hypot(px - x, py - y) <= reach;
    const lines = this.centre && close(this.centre, 8) ? [this.fields.text.centre_hover] : [];
    (this.points || []).forEach((point, k) => { if (close(point, 7)) lines.push(this.snapshotText(k)); });
    this.snapshot = null;
    if (!lines.length) { super.hover(x, y); return; }
    this.cursor = null;
    this.draw();
    tipAt(this.parts, x, y, lines.join("\n"));
  }

  key(event) {
    const moves = {PageDown: 1, PageUp: -1};
    if (!(event.key in moves)) { this.snapshot = null; super.key(event); return; }
    if (!this.box || !this.points.length) return;
    event.preventDefault();
    const count = this.points.length, move = moves[event.key];
    this.snapshot = this.snapshot === null ? (move > 0 ? 0 : count - 1) : (this.snapshot + move + count) % count;
    this.cursor = null;
    this.draw();
    tipAt(this.parts, ...this.points[this.snapshot], this.snapshotText(this.snapshot));
  }
}

export class Runs3d extends Surface3d {
  load(fields, arrays) {
    this.runs = runsOf(fields, arrays);
    super.load(fields, arrays);
  }

  legend() {
    this.parts.legend.replaceChildren(...this.runs.map((run) => legendEntry(run.name, (c) => {
      runLine(c, [[1, 7], [25, 7]], {...run, dash: "solid"}, 3);
      dots(c, [[13, 7]], run.colour, 2.5);
    })));
  }

  // Each path just above the surface (2% of the loss's range, so the surface does not swallow it).
  marks(context) {
    const lift = 0.02 * (this.high - this.low);
    const paths = placed(this, (a, b, loss) => this.project(this.world(a, b, loss + lift)));
    paths.forEach((points, r) => {
      runLine(context, points, {...this.runs[r], dash: "solid"}, 4);
      dots(context, points, this.runs[r].colour, 2.5);
    });
  }

  snapshotText(k) { return snapshotText(this, k); }

  pointText(i, j) { return gridText(this, i, j); }
}
