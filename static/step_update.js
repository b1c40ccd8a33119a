// The Train panel's update ΔW1 = −α·x·dZ1ᵀ as one 28×28 tile a hidden unit, labelled, on a canvas,
// with its colour scale (static/step_panel.js gathers these methods onto its Panel); a click on a
// tile explains the value under the pointer.

const {FONT, GREYED, element, inline, show, size} =
  await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));

export const update = {
  // ΔW1 = −α·x·dZ1ᵀ: column k of the update is x times factor k; each unit's 28×28 tile, labelled.
  drawUpdate() {
    const f = this.fields, canvas = this.tiles;
    this.updateHeader.innerHTML = inline(f.text.dW1_header);
    const factor = this.arrays.dW1_factor, hidden = factor.length;
    const x = this.arrays.x || Float64Array.from(this.arrays.pixels, (p) => p / 255);
    const available = Math.max(200, this.update.clientWidth || 600);
    const columns = Math.min(hidden, available < 560 ? 5 : 10);
    const gap = 6, labelHeight = 30;
    const side = Math.min(84, Math.floor((available - gap * (columns - 1)) / columns));
    const rows = Math.ceil(hidden / columns);
    const width = columns * side + (columns - 1) * gap, height = rows * (labelHeight + side + gap);
    const context = size(canvas, width, height);
    context.clearRect(0, 0, width, height);
    context.imageSmoothingEnabled = false;
    const limit = f.dW1_limit || 1;
    const tile = document.createElement("canvas");
    tile.width = tile.height = 28;
    const tileContext = tile.getContext("2d"), image = tileContext.createImageData(28, 28);
    this.tileBoxes = [];
    for (let k = 0; k < hidden; k++) {
      for (let p = 0; p < 784; p++) {
        const colour = f.unchanged[k] ? GREYED : diverging(x[p] * factor[k] / limit);
        image.data.set(colour, 4 * p);
        image.data[4 * p + 3] = 255;
      }
      tileContext.putImageData(image, 0, 0);
      const left = (k % columns) * (side + gap), top = Math.floor(k / columns) * (labelHeight + side + gap);
      context.drawImage(tile, left, top + labelHeight, side, side);
      context.fillStyle = "#282828";
      context.font = FONT;
      context.textBaseline = "top";
      const [first, second] = f.units[k];
      context.fillText(first, left + 1, top + 1, side - 2);
      if (second) context.fillText(second, left + 1, top + 15, side - 2);
      this.tileBoxes.push([left, top, side, labelHeight + side, k]);
    }
    canvas.setAttribute("aria-label", f.dW1_alt);
    this.strip.replaceChildren();
    show(this.strip, !!f.dW1_scale);
    if (f.dW1_scale) {
      const bar = element("div", "sp-scale-bar");
      bar.style.width = `${Math.min(width, 256)}px`;
      const words = element("div", "sp-scale-words");
      words.style.width = bar.style.width;
      words.append(...f.dW1_scale.map((word) => element("span", "", word)));
      this.strip.append(bar, words);
    }
    this.updateCaption.textContent = f.dW1_caption;
  },

  // The value under the pointer, named as core/model/explain.py names it: DeltaW1_<pixel>_<unit>, both from 1.
  tileAt(event) {
    const box = this.tiles.getBoundingClientRect();
    const px = event.clientX - box.left, py = event.clientY - box.top;
    const hit = (this.tileBoxes || []).find(([l, t, w, h]) => px >= l && px < l + w && py >= t + 30 && py < t + h);
    if (!hit) return;
    const [left, top, side, , unit] = hit;
    const column = Math.floor((px - left) * 28 / side), row = Math.floor((py - top - 30) * 28 / side);
    this.explain(`DeltaW1_${row * 28 + column + 1}_${unit + 1}`);
  }
};

// figures.diverging_rgb: white at 0, towards POSITIVE red or NEGATIVE blue, saturated at ±1.
function diverging(t) {
  t = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  const end = t >= 0 ? [178, 24, 43] : [33, 102, 172], s = Math.abs(t);
  return [0, 1, 2].map((i) => Math.trunc(255 + s * (end[i] - 255)));
}
