// Every compared run's W1 (static/compare_panel.js places it): a canvas a run, unit k under unit k, on one
// colour scale. Each tile arrives as 784 bytes, code c = 128 + round(127·t) with t = clip(w/limit, −1, 1)
// (ui/compare_panel.weight_codes), and is coloured as ui/figures.diverging_rgb colours t. A silent unit
// gets a grey frame. Words (each run's line, alt text, the units' names, the scale) come from Python.

const FRAME = "#6e6e6e";  // compare_figures.FRAME: dark enough on white and on blue
const FONT = "12px 'Source Sans Pro', 'Source Sans 3', sans-serif";
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
  }

  // Every run's line and tiles for the panel's width: ten tiles a row, five on a phone.
  render(available) {
    const {element} = this.common;
    const words = this.owner.fields.weights, runs = this.owner.fields.runs;
    this.host.hidden = !words;
    if (!words) return this.host.replaceChildren();
    const hidden = words.units.length;
    const columns = Math.min(hidden, available < 560 ? 5 : 10);
    const side = Math.min(84, Math.floor((available - GAP * (columns - 1)) / columns));
    const nodes = [], drawn = [];
    words.runs.forEach((run, count) => {
      const line = element("p", "cp-w-title");
      const mark = element("span", "cp-swatch", "■■");
      mark.style.color = runs[count].colour;
      mark.setAttribute("aria-hidden", "true");
      line.append(mark, " ", element("strong", "", runs[count].label), `: ${run.title}`);
      const canvas = element("canvas", "cp-tiles");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", run.alt);
      drawn.push(this.draw(canvas, count, words, columns, side, count === 0 ? LABEL : 0));
      nodes.push(line, canvas);
    });
    const width = columns * side + (columns - 1) * GAP;
    const bar = element("div", "sp-scale-bar"), scale = element("div", "sp-scale-words");
    bar.style.width = scale.style.width = `${Math.min(width, 256)}px`;
    scale.append(...words.scale.map((word) => element("span", "", word)));
    nodes.push(bar, scale, element("p", "sp-caption", words.caption));
    this.host.replaceChildren(...nodes);
    window.__comparePanel.tiles = {columns, side, gap: GAP, label: LABEL, runs: drawn};
  }

  // One run's tiles; `label`: room above each row for the units' names (the first run's rows carry them).
  draw(canvas, count, words, columns, side, label) {
    const hidden = words.units.length, rows = Math.ceil(hidden / columns);
    const width = columns * side + (columns - 1) * GAP, height = rows * (label + side + GAP) - GAP;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.imageSmoothingEnabled = false;
    const tile = document.createElement("canvas");
    tile.width = tile.height = 28;
    const tileContext = tile.getContext("2d"), image = tileContext.createImageData(28, 28);
    const boxes = [];
    for (let k = 0; k < hidden; k++) {
      const codes = this.owner.arrays[`W1_${count}_${k}`];
      if (!codes) continue;
      for (let p = 0; p < 784; p++) {
        image.data.set(COLOURS[codes[p]], 4 * p);
        image.data[4 * p + 3] = 255;
      }
      tileContext.putImageData(image, 0, 0);
      const left = (k % columns) * (side + GAP), top = Math.floor(k / columns) * (label + side + GAP) + label;
      context.drawImage(tile, left, top, side, side);
      if (words.silent[count][k]) {
        context.strokeStyle = FRAME;
        context.lineWidth = 3;
        context.strokeRect(left + 1.5, top + 1.5, side - 3, side - 3);
      }
      if (label) {
        context.fillStyle = "#3b3b3b";
        context.font = FONT;
        context.textAlign = "center";
        context.textBaseline = "top";
        context.fillText(words.units[k], left + side / 2, top - label + 1, side);
      }
      boxes.push([left, top, side]);
    }
    return boxes;
  }
}
