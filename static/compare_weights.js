// Every compared run's W1 (static/compare_panel.js places it): a canvas a run, unit k under unit k, on one
// colour scale. Each tile arrives as 784 bytes, code c = 128 + round(127·t) with t = clip(w/limit, −1, 1)
// (ui/compare_panel.weight_codes), and is coloured as ui/figures.diverging_rgb colours t. A silent unit
// gets a grey frame. Words (each run's line, alt text, the units' names, the scale) come from Python.

const FRAME = "#6e6e6e";  // compare_figures.FRAME: dark enough on white and on blue
const FONT = "'Source Sans Pro', 'Source Sans 3', sans-serif";
const GAP = 6, LABEL = 16;

// figures.diverging_rgb of t = (code − 128)/127: white at 0, towards red (178, 24, 43) or blue (33, 102, 172).
const COLOURS = Array.from({length: 256}, (_, code) => {
  const t = Math.max(-1, Math.min(1, (code - 128) / 127)), s = Math.abs(t);
  const end = t >= 0 ? [178, 24, 43] : [33, 102, 172];
  return [0, 1, 2].map((i) => Math.trunc(255 + s * (end[i] - 255)));
});

export class Weights {
  constructor(shared, owner, host) {
    this.common = shared;
    this.owner = owner;
    this.host = host;
    this.layout = null;  // what the canvases were built for: columns, tile size, units, runs
    this.tile = document.createElement("canvas");  // one 28×28 tile, drawn scaled onto a run's canvas
    this.tile.width = this.tile.height = 28;
    this.image = this.tile.getContext("2d").createImageData(28, 28);
  }

  // Every run's line and tiles for the panel's width: ten tiles a row, five on a phone. With the same
  // layout as before, only the words and the tiles in `changed` (a Set of names; null: all) are redrawn.
  render(available, changed) {
    const words = this.owner.fields.weights, runs = this.owner.fields.runs;
    this.host.hidden = !words;
    if (!words) { this.layout = null; return this.host.replaceChildren(); }
    const hidden = words.units.length;
    const columns = Math.min(hidden, available < 560 ? 5 : 10);
    const side = Math.min(84, Math.floor((available - GAP * (columns - 1)) / columns));
    const layout = JSON.stringify([columns, side, words.units, runs.map((run) => [run.label, run.colour])]);
    const built = layout !== this.layout || changed === null;  // new canvases: every tile is drawn
    if (built) this.build(words, runs, columns, side);
    this.layout = layout;
    const silent = JSON.stringify(words.silent) !== this.silent;  // a frame drawn or taken away: the whole run
    this.silent = JSON.stringify(words.silent);
    const drawn = words.runs.map((run, count) => {
      const {title, canvas, boxes} = this.shown[count];
      title.textContent = `: ${run.title}`;
      canvas.setAttribute("aria-label", run.alt);
      const redraw = (k) => built || silent || changed.has(`W1_${count}_${k}`);
      return this.draw(canvas, boxes, count, words, redraw);
    });
    this.scale.replaceChildren(...words.scale.map((word) => this.common.element("span", "", word)));
    this.caption.textContent = words.caption;
    window.__comparePanel.tiles = {columns, side, gap: GAP, label: LABEL, runs: drawn};
  }

  // Each run's line, its canvas at this layout (cleared) and where its tiles go; the scale and the caption.
  build(words, runs, columns, side) {
    const {element} = this.common;
    const hidden = words.units.length, rows = Math.ceil(hidden / columns), nodes = [];
    const width = columns * side + (columns - 1) * GAP;
    this.shown = words.runs.map((_run, count) => {
      const label = count === 0 ? LABEL : 0;  // the first run's rows carry the units' names
      const line = element("p", "cp-w-title"), title = element("span");
      const mark = element("span", "cp-swatch", "■■");
      mark.style.color = runs[count].colour;
      mark.setAttribute("aria-hidden", "true");
      line.append(mark, " ", element("strong", "", runs[count].label), title);
      const canvas = element("canvas", "cp-tiles");
      canvas.setAttribute("role", "img");
      const context = this.common.size(canvas, width, rows * (label + side + GAP) - GAP);  // sharp at any zoom
      context.imageSmoothingEnabled = false;
      context.fillStyle = "#3b3b3b";
      context.font = `12px ${FONT}`;  // smaller, down to 9 px, where the longest name is wider than a tile
      const widest = Math.max(...words.units.map((unit) => context.measureText(unit).width));
      context.font = `${Math.max(9, Math.min(12, Math.floor(12 * (side - 2) / widest)))}px ${FONT}`;
      context.textAlign = "center";
      context.textBaseline = "top";
      const boxes = words.units.map((unit, k) => {
        const left = (k % columns) * (side + GAP), top = Math.floor(k / columns) * (label + side + GAP) + label;
        if (label) context.fillText(unit, left + side / 2, top - label + 1, side);
        return [left, top, side];
      });
      nodes.push(line, canvas);
      return {title, canvas, boxes};
    });
    const bar = element("div", "sp-scale-bar");
    this.scale = element("div", "sp-scale-words");
    bar.style.width = this.scale.style.width = `${Math.min(width, 256)}px`;
    this.caption = element("p", "sp-caption");
    nodes.push(bar, this.scale, this.caption);
    this.host.replaceChildren(...nodes);
  }

  // The tiles of one run that `redraw(unit)` names, each from its 784 codes; a silent unit framed in grey.
  draw(canvas, boxes, count, words, redraw) {
    const context = canvas.getContext("2d"), image = this.image;
    boxes.forEach(([left, top, side], k) => {
      const codes = this.owner.arrays[`W1_${count}_${k}`];
      if (!codes || !redraw(k)) return;
      for (let p = 0; p < 784; p++) {
        image.data.set(COLOURS[codes[p]], 4 * p);
        image.data[4 * p + 3] = 255;
      }
      this.tile.getContext("2d").putImageData(image, 0, 0);
      context.drawImage(this.tile, left, top, side, side);
      if (words.silent[count][k]) {
        context.strokeStyle = FRAME;
        context.lineWidth = 3;
        context.strokeRect(left + 1.5, top + 1.5, side - 3, side - 3);
      }
    });
    return boxes;
  }
}
