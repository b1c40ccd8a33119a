// One frame of the Weights screen's player (static/weight_player.js gathers these methods onto its
// Player): W1's templates (putImageData), W2 and b2 (fillRect) in the chosen view and colour scale,
// the titles, the legends and what a screen reader hears, and the value under the pointer.

const {FONT, GRID, SIDE, TEXT, VEIL, VIEWS, fixed, local, number, say, short, signed} =
  await import(new URL(`weight_kit.js${new URL(import.meta.url).search}`, import.meta.url));

export const frame = {
  limit(view) {
    const limits = this.run.limits[view];
    return this.prefs.scaling === "fixed" ? limits.fixed : limits.frame[this.index];
  },

  // The value of W1 (or of W1 − W1 at the first frame) for one unit's pixel in the shown frame.
  w1Value(unit, pixel) {
    const run = this.run, at = (this.index * run.hidden + unit) * SIDE * SIDE + pixel;
    const change = run.quantum[this.index] * run.W1_change[at];
    return this.prefs.view === "W1" ? run.W1_start[unit * SIDE * SIDE + pixel] + change : change;
  },

  colour(value, limit, target, at) {
    let t = value / limit;
    t = t > 1 ? 1 : t < -1 ? -1 : t === t ? t : 0;
    const entry = 3 * Math.round((t + 1) * 127);
    const palette = this.run.palette;
    target[at] = palette[entry];
    target[at + 1] = palette[entry + 1];
    target[at + 2] = palette[entry + 2];
    target[at + 3] = 255;
  },

  drawW1() {
    const run = this.run, limit = this.limit(this.prefs.view), silent = run.silentSets[this.index];
    const area = SIDE * SIDE;
    const start = run.W1_start, codes = run.W1_change, quantum = run.quantum[this.index];
    const absolute = this.prefs.view === "W1";
    this.tileParts.forEach((part, unit) => {
      const target = part.pixels.data, base = (this.index * run.hidden + unit) * area;
      for (let pixel = 0; pixel < area; pixel++) {
        const change = quantum * codes[base + pixel];
        this.colour(absolute ? start[unit * area + pixel] + change : change, limit, target, 4 * pixel);
      }
      part.context.putImageData(part.pixels, 0, 0);
      part.tile.classList.toggle("silent", silent.has(unit));
      part.bias.textContent = `b1 ${signed(run.b1[this.index * run.hidden + unit])}`;
    });
  },

  drawW2() {
    const run = this.run, context = this.w2.getContext("2d"), hidden = run.hidden;
    const {width, height, left, top, gap} = this.cell;
    const limit = this.limit("W2"), silent = run.silentSets[this.index];
    const rgba = new Uint8ClampedArray(4);
    const fill = (value) => {
      this.colour(value, limit, rgba, 0);
      context.fillStyle = `rgb(${rgba[0]},${rgba[1]},${rgba[2]})`;
    };
    context.clearRect(0, 0, this.w2.logical.width, this.w2.logical.height);
    context.font = FONT;
    context.fillStyle = TEXT;
    context.textAlign = "center";
    context.textBaseline = "bottom";
    run.digits.forEach((digit, column) => context.fillText(digit, left + (column + 0.5) * width, top - 4));
    context.textAlign = "right";
    context.textBaseline = "middle";
    const every = height >= 12 ? 1 : 4;
    for (let unit = 0; unit < hidden; unit++) {
      const y = top + unit * height;
      for (let digit = 0; digit < 10; digit++) {
        fill(run.W2[(this.index * hidden + unit) * 10 + digit]);
        context.fillRect(left + digit * width, y, width, height);
      }
      if (silent.has(unit)) {
        context.fillStyle = VEIL;
        context.fillRect(left, y, 10 * width, height);
      }
      context.fillStyle = TEXT;
      if (unit % every === 0 || unit === hidden - 1) context.fillText(run.unit_labels[unit], left - 6, y + height / 2);
    }
    const y = top + hidden * height + gap;
    for (let digit = 0; digit < 10; digit++) {
      fill(run.b2[this.index * 10 + digit]);
      context.fillRect(left + digit * width, y, width, 20);
    }
    context.fillStyle = TEXT;
    context.fillText("b2", left - 6, y + 10);
    context.strokeStyle = GRID;
    context.strokeRect(left - 0.5, top - 0.5, 10 * width + 1, hidden * height + 1);
    context.strokeRect(left - 0.5, y - 0.5, 10 * width + 1, 21);
  },

  describe() {
    const run = this.run, step = run.steps[this.index], last = this.index === run.frames - 1;
    const accuracy = say("percent", {value: fixed(100 * run.accuracy[this.index], 2)});
    const stepText = say(last ? "step_now" : "step", {step: number(step)});
    this.where.textContent = `${stepText} · ${this.position(step)}`;
    this.accuracy.textContent = say("test_accuracy", {accuracy});
    this.count.textContent = say("frame_count", {frame: number(this.index + 1), frames: number(run.frames)});
    this.timeline.setAttribute("aria-valuemin", "0");
    this.timeline.setAttribute("aria-valuemax", String(run.steps[run.frames - 1]));
    this.timeline.setAttribute("aria-valuenow", String(step));
    this.timeline.setAttribute("aria-valuetext", say("valuetext", {step: stepText, accuracy}));
    const view = VIEWS[this.prefs.view], silent = [...run.silentSets[this.index]].map((unit) => unit + 1);
    this.firstTitle.textContent = this.prefs.view === "W1"
      ? say("title_W1", {step: number(step)})
      : say("title_change", {view: view.name, step: number(step)});
    this.secondTitle.textContent = say("title_W2", {step: number(step)});
    const silentText = silent.length
      ? say(silent.length === 1 ? "silent_one" : "silent_many", {units: silent.join(", "), probe: number(run.probe_images)})
      : "";
    this.tiles.setAttribute("aria-label", say("colours_aria", {title: this.firstTitle.textContent, silent: silentText}));
    this.w2.setAttribute("aria-label", say("colours_aria", {title: this.secondTitle.textContent, silent: ""}));
    const limit = this.limit(this.prefs.view), limits = run.limits[this.prefs.view];
    const percentile = say("percentile", {percentile: local(String(run.percentile)), symbol: view.symbol});
    const fields = {limit: short(limit), percentile, frames: number(run.frames), largest: short(limits.largest), silent: silentText};
    this.scaleLegend(this.firstLegend, limit, say(this.prefs.scaling === "fixed"
      ? (run.frames > 1 ? "W1_fixed_all" : "W1_fixed_one") : "W1_per_frame", fields));
    const limitW2 = this.limit("W2");
    this.scaleLegend(this.secondLegend, limitW2,
      say(this.prefs.scaling === "fixed" ? "W2_fixed" : "W2_per_frame", {limit: short(limitW2)}));
  },

  scaleLegend(legend, limit, text) {
    const context = legend.strip.getContext("2d"), palette = this.run.palette;
    for (let x = 0; x < legend.strip.width; x++) {
      const entry = 3 * Math.round((x / (legend.strip.width - 1)) * 254);
      context.fillStyle = `rgb(${palette[entry]},${palette[entry + 1]},${palette[entry + 2]})`;
      context.fillRect(x, 0, 1, legend.strip.height);
    }
    legend.low.textContent = `−${short(limit)}`;
    legend.high.textContent = `+${short(limit)}`;
    legend.text.textContent = say("legend", {scale: text});
  },

  pointAtW1(event, unit) {
    const box = event.target.getBoundingClientRect();
    const column = Math.min(SIDE - 1, Math.floor((event.clientX - box.left) / box.width * SIDE));
    const row = Math.min(SIDE - 1, Math.floor((event.clientY - box.top) / box.height * SIDE));
    const pixel = row * SIDE + column, value = this.w1Value(unit, pixel);
    const precision = this.run.quantum[this.index] / 2;
    this.pointing = true;
    this.readout.textContent = say(precision > 0 ? "read_W1_rounded" : "read_W1", {
      unit: this.run.unit_labels[unit], pixel: number(pixel + 1), row: number(row + 1), column: number(column + 1),
      view: VIEWS[this.prefs.view].name, value: fixed(value, 4), precision: local(precision.toPrecision(1)),
      step: number(this.run.steps[this.index])});
  },

  pointAtW2(event) {
    const run = this.run, box = this.w2.getBoundingClientRect();
    const {width, height, left, top, gap} = this.cell;
    const x = event.clientX - box.left - left, y = event.clientY - box.top - top;
    const digit = Math.floor(x / width), unit = Math.floor(y / height);
    if (digit < 0 || digit > 9) return this.clearReadout();
    const step = number(run.steps[this.index]);
    this.pointing = true;
    if (unit >= 0 && unit < run.hidden)
      this.readout.textContent = say("read_W2", {unit: run.unit_labels[unit], digit,
        value: fixed(run.W2[(this.index * run.hidden + unit) * 10 + digit], 4), step});
    else if (y >= run.hidden * height + gap && y < run.hidden * height + gap + 20)
      this.readout.textContent = say("read_b2", {digit, value: fixed(run.b2[this.index * 10 + digit], 4), step});
    else this.clearReadout();
  },

  clearReadout() {
    this.pointing = false;
    this.readout.textContent = say("point");
  }
};
