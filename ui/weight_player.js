// The Weights screen's player. Every frame of the weights' history arrives at once, as the bytes
// ui/weight_frames.py writes; playing, scrubbing, the view and the colour scale all change here, in
// the browser, with no round trip to the server. Frames are drawn on <canvas> with putImageData
// (W1) and fillRect (W2, the timeline). window.__backpropPlayback counts the frames drawn, for
// bench/playback_fps.py and the browser tests: framesDrawn in all, when Play was last pressed
// (started) and the performance.now() of each frame drawn since then (times).
// Every word the player shows comes from Python, translated there (gettext runs on the server): the
// header's `text` holds each message as a template with named {fields}, and `separators` the
// language's decimal sign and thousands separator (ui/weight_player.py).

const SPEEDS = [5, 10, 20, 30];  // frames per second
const SIDE = 28;                 // a W1 template is 28x28 pixels
const TILE_GAP = 6;              // screen pixels between two templates
const FONT = "12px 'Source Sans Pro', 'Source Sans 3', sans-serif";
const TEXT = "#3b3b3b";          // figures.FONT_COLOUR: 4.5:1 on white and more
const GRID = "#b5b5b5";
const ACCURACY = "#009E73";      // figures.ACCURACY, the Train screen's accuracy colour
const VEIL = "rgba(190,190,190,0.6)";
const VIEWS = {
  W1: {name: "W1", symbol: "|W1|"},
  W1_change: {name: "", symbol: ""},  // named in the run's language, with its first step, by Player.load
};
let WORDS = {};                  // the run's messages, by name
let SEPARATORS = ".,";           // the run's decimal sign, then its thousands separator

// The message `name` with its {fields} filled in.
const say = (name, fields = {}) =>
  (WORDS[name] ?? name).replace(/\{(\w+)\}/g, (whole, field) => (field in fields ? String(fields[field]) : whole));
// Digits written with dots and commas (JavaScript's own) in the run's language's signs.
const local = (text) => text.replace(/[.,]/g, (sign) => (sign === "." ? SEPARATORS[0] : SEPARATORS[1]));

export default function (component) {
  const { data, parentElement } = component;
  if (!data) return;
  const player = parentElement.__weightPlayer || (parentElement.__weightPlayer = new Player(parentElement));
  player.load(data);
  return () => player.pause();
}

function decode(bytes) {
  const length = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  const start = bytes.byteOffset + 4 + length;
  const array = (name) => {
    const { offset, dtype, shape } = header.blocks[name];
    const count = shape.reduce((a, b) => a * b, 1);
    if (dtype === "int8") return new Int8Array(bytes.buffer, start + offset, count);
    // a copy, since a Float32Array view needs a 4-byte-aligned offset in the buffer
    const begin = start + offset - bytes.byteOffset;
    return new Float32Array(bytes.slice(begin, begin + 4 * count).buffer);
  };
  return {
    ...header,
    W1_start: array("W1_start"), W1_change: array("W1_change"),
    W2: array("W2"), b1: array("b1"), b2: array("b2"),
    palette: Uint8Array.from(header.palette),
    silentSets: header.silent.map((units) => new Set(units)),
    bytes: bytes.byteLength,
  };
}

const number = (value) => local(Math.round(value).toLocaleString("en-US"));
const fixed = (value, digits) => local(value.toFixed(digits));
const signed = (value, digits = 2) => (value >= 0 ? "+" : "−") + fixed(Math.abs(value), digits);
const short = (value) => local(value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toPrecision(2));

function preferences() {
  const memory = window.__backpropLab || (window.__backpropLab = {});
  return memory.playback || (memory.playback = {fps: 10, view: "W1", scaling: "fixed"});
}

// A canvas `width` x `height` CSS pixels, backed by enough device pixels to stay sharp on a dense screen.
function size(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.logical = {width, height};
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

class Player {
  constructor(root) {
    this.prefs = preferences();
    this.playing = false;
    this.index = 0;
    this.counter = window.__backpropPlayback = {framesDrawn: 0, started: null, times: [], playing: false, payloadBytes: 0};
    this.root = element("div", "player");
    root.appendChild(this.root);
    this.build();
    new ResizeObserver(() => this.layout()).observe(this.root);
  }

  build() {
    const controls = element("div", "controls");
    this.playButton = element("button", "play");
    this.playButton.type = "button";
    this.playButton.onclick = () => (this.playing ? this.pause() : this.play());
    const speed = element("label", "speed");
    this.speedLabel = element("span");
    speed.appendChild(this.speedLabel);
    this.speed = element("select");
    for (const fps of SPEEDS) {
      const option = element("option");
      option.value = fps;
      this.speed.appendChild(option);
    }
    this.speed.value = this.prefs.fps;
    this.speed.onchange = () => {
      this.prefs.fps = Number(this.speed.value);
      if (this.playing) this.restartClock();
    };
    speed.appendChild(this.speed);
    const steppers = element("span", "steppers");
    this.previous = this.stepper("◀", -1);
    this.next = this.stepper("▶", 1);
    steppers.append(this.previous, this.next);
    this.viewButtons = this.choice("view", Object.keys(VIEWS));
    this.scalingButtons = this.choice("scaling", ["fixed", "frame"]);
    controls.append(this.playButton, speed, steppers, this.viewButtons.group, this.scalingButtons.group);

    this.timeline = element("canvas", "timeline");
    this.timeline.tabIndex = 0;
    this.timeline.setAttribute("role", "slider");
    this.timeline.addEventListener("pointerdown", (event) => this.scrub(event, true));
    this.timeline.addEventListener("pointermove", (event) => this.scrub(event, false));
    this.timeline.addEventListener("keydown", (event) => this.key(event));

    this.status = element("div", "status");
    this.where = element("span", "where");
    this.accuracy = element("span", "accuracy");
    this.count = element("span", "count");
    this.status.append(this.where, this.accuracy, this.count);

    this.panels = element("div", "panels");
    const first = element("section", "first-layer");
    this.firstTitle = element("div", "title");
    this.tiles = element("div", "tiles");
    this.tiles.setAttribute("role", "img");
    this.firstLegend = this.legend();
    first.append(this.firstTitle, this.tiles, this.firstLegend.box);
    const second = this.secondPanel = element("section", "second-layer");
    this.secondTitle = element("div", "title");
    this.w2 = element("canvas", "w2");
    this.w2.setAttribute("role", "img");
    this.w2.addEventListener("mousemove", (event) => this.pointAtW2(event));
    this.w2.addEventListener("mouseleave", () => this.clearReadout());
    this.secondLegend = this.legend();
    second.append(this.secondTitle, this.w2, this.secondLegend.box);
    this.panels.append(first, second);

    this.readout = element("p", "readout");
    this.root.append(controls, this.timeline, this.status, this.panels, this.readout);
  }

  // The words of the controls, in the language of the run just loaded.
  relabel() {
    const run = this.run;
    VIEWS.W1_change.name = say("view_change", {step: number(run.steps[0])});
    VIEWS.W1_change.symbol = say("symbol_change", {step: number(run.steps[0])});
    this.playButton.textContent = say(this.playing ? "pause" : "play");
    this.speedLabel.textContent = say("speed") + " ";
    for (const option of this.speed.options) option.textContent = say("fps", {fps: option.value});
    for (const [button, name] of [[this.previous, "previous"], [this.next, "next"]]) {
      button.setAttribute("aria-label", say(name));
      button.title = say(name);
    }
    const names = {W1: VIEWS.W1.name, W1_change: VIEWS.W1_change.name, fixed: say("fixed"), frame: say("per_frame")};
    for (const [choice, label] of [[this.viewButtons, say("show")], [this.scalingButtons, say("colours")]]) {
      choice.group.setAttribute("aria-label", label);
      choice.label.textContent = label;
      for (const button of choice.buttons) button.textContent = names[button.dataset.value];
    }
    this.timeline.setAttribute("aria-label", say("timeline"));
    this.accuracy.title = say("accuracy_line");
    for (const part of this.tileParts || []) part.veil.textContent = say("silent");
    if (!this.pointing) this.clearReadout();
  }

  stepper(text, direction) {
    const button = element("button", "stepper", text);
    button.type = "button";
    button.onclick = () => { this.pause(); this.show(this.index + direction); };
    return button;
  }

  choice(preference, values) {
    const group = element("span", "choice");
    group.setAttribute("role", "group");
    const label = element("span", "choice-label");
    group.appendChild(label);
    const buttons = values.map((value) => {
      const button = element("button", "");
      button.type = "button";
      button.dataset.value = value;
      button.onclick = () => { this.prefs[preference] = value; this.mark(); this.show(this.index); };
      group.appendChild(button);
      return button;
    });
    return {group, label, buttons, preference};
  }

  legend() {
    const box = element("div", "legend");
    const strip = element("canvas", "strip");
    strip.width = 120;
    strip.height = 10;
    const low = element("span", "end"), high = element("span", "end"), text = element("span", "scale");
    box.append(low, strip, high, text);
    return {box, strip, low, high, text};
  }

  mark() {
    for (const choice of [this.viewButtons, this.scalingButtons])
      for (const button of choice.buttons)
        button.setAttribute("aria-pressed", String(button.dataset.value === this.prefs[choice.preference]));
  }

  // New frames (the run moved on, or another step was opened on the Train screen's timeline): open the
  // step the page asks for when it asks for another one, else stay at the step shown.
  load(bytes) {
    const previous = this.run, shownStep = previous ? previous.steps[this.index] : null;
    this.pause();
    this.run = decode(bytes);
    WORDS = this.run.text || {};
    SEPARATORS = this.run.separators || ".,";
    this.counter.payloadBytes = this.run.bytes;
    this.counter.frames = this.run.frames;
    this.makeTiles();
    this.relabel();
    this.mark();
    const last = this.run.frames - 1;
    for (const control of [this.playButton, this.previous, this.next]) control.disabled = last === 0;
    const reopened = !previous || previous.opened !== this.run.opened;
    this.index = this.nearestFrame(reopened ? this.run.opened : shownStep);
    this.layout();
  }

  makeTiles() {
    const run = this.run;
    this.tiles.replaceChildren();
    this.tileParts = run.unit_labels.map((label, unit) => {
      const tile = element("figure", "tile");
      const canvas = element("canvas");
      canvas.width = canvas.height = SIDE;
      canvas.addEventListener("mousemove", (event) => this.pointAtW1(event, unit));
      canvas.addEventListener("mouseleave", () => this.clearReadout());
      const image = element("div", "image"), veil = element("span", "veil", say("silent"));
      image.append(canvas, veil);
      const bias = element("div", "bias");
      tile.append(element("div", "unit", label), bias, image);
      this.tiles.appendChild(tile);
      return {tile, canvas, bias, veil, context: canvas.getContext("2d"), pixels: new ImageData(SIDE, SIDE)};
    });
  }

  // W2 beside W1 when W1's templates can still be drawn at least 3 screen pixels a weight (2 for more
  // than 10 units, in 8 columns); otherwise W2 goes under W1.
  layout() {
    if (!this.run) return;
    const width = this.root.clientWidth;
    if (!width) return;
    const hidden = this.run.hidden, gap = 20;
    const columns = hidden <= 5 ? hidden : hidden <= 10 ? 5 : hidden <= 12 ? 6 : 8;
    const scaleFor = (area) => Math.max(1, Math.min(4, Math.floor(((area - (columns - 1) * TILE_GAP) / columns - 2) / SIDE)));
    const besideWidth = this.layoutW2(width >= 900 ? 22 : 14);
    const sideBySide = scaleFor(width - besideWidth - gap) >= (hidden <= 10 ? 3 : 2);
    const secondWidth = sideBySide ? besideWidth : this.layoutW2(22);
    this.panels.classList.toggle("stacked", !sideBySide);
    this.panels.style.gap = `16px ${gap}px`;
    this.secondPanel.style.width = sideBySide ? `${secondWidth}px` : "auto";
    const scale = scaleFor(sideBySide ? width - secondWidth - gap : width);
    this.tiles.style.gridTemplateColumns = `repeat(${columns}, ${SIDE * scale + 2}px)`;
    this.tiles.style.gap = `8px ${TILE_GAP}px`;
    for (const part of this.tileParts) part.canvas.style.width = `${SIDE * scale}px`;
    size(this.timeline, width, 74);
    this.show(this.index, false);
  }

  layoutW2(cellWidth) {
    const hidden = this.run.hidden;
    this.cell = {width: cellWidth, height: hidden <= 16 ? 20 : hidden <= 32 ? 12 : 7, left: 52, top: 20, gap: 8};
    const {width, height, left, top, gap} = this.cell;
    size(this.w2, left + 10 * width + 4, top + hidden * height + gap + 20);
    return this.w2.logical.width;
  }

  // --- playing ---------------------------------------------------------------------------------

  play() {
    if (this.run.frames < 2) return;
    if (this.index >= this.run.frames - 1) this.show(0);
    this.playing = true;
    this.playButton.textContent = say("pause");
    this.root.dataset.playing = "true";
    this.counter.playing = true;
    this.counter.started = performance.now();
    this.counter.times = [];
    this.restartClock();
    const tick = (now) => {
      if (!this.playing) return;
      // an animation frame's time can precede the click that started the clock
      const target = this.clockFrame + Math.floor(Math.max(0, now - this.clockStart) * this.prefs.fps / 1000);
      if (target !== this.index) this.show(Math.min(target, this.run.frames - 1));
      if (this.index >= this.run.frames - 1) this.pause();
      else this.animation = requestAnimationFrame(tick);
    };
    this.animation = requestAnimationFrame(tick);
  }

  restartClock() {
    this.clockStart = performance.now();
    this.clockFrame = this.index;
  }

  pause() {
    this.playing = false;
    if (this.animation) cancelAnimationFrame(this.animation);
    this.playButton.textContent = say("play");
    this.root.dataset.playing = "false";
    this.counter.playing = false;
  }

  nearestFrame(step) {
    const steps = this.run.steps;
    let best = 0;
    for (let i = 1; i < steps.length; i++)
      if (Math.abs(steps[i] - step) < Math.abs(steps[best] - step)) best = i;
    return best;
  }

  scrub(event, pressed) {
    if (!this.run || (!pressed && !(event.buttons & 1))) return;
    if (pressed) {
      this.pause();
      this.timeline.setPointerCapture(event.pointerId);
      this.timeline.focus();
    }
    const box = this.timeline.getBoundingClientRect();
    const {left, right} = this.axis();
    const fraction = Math.min(1, Math.max(0, (event.clientX - box.left - left) / (right - left)));
    this.show(this.nearestFrame(fraction * this.run.steps[this.run.frames - 1]));
  }

  key(event) {
    const moves = {ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -10, PageUp: 10};
    if (event.key === " ") this.playing ? this.pause() : this.play();
    else if (event.key === "Home") { this.pause(); this.show(0); }
    else if (event.key === "End") { this.pause(); this.show(this.run.frames - 1); }
    else if (event.key in moves) { this.pause(); this.show(this.index + moves[event.key]); }
    else return;
    event.preventDefault();
  }

  // --- drawing one frame -------------------------------------------------------------------------

  show(index, counted = true) {
    const run = this.run;
    this.index = Math.max(0, Math.min(run.frames - 1, index));
    this.drawW1();
    this.drawW2();
    this.drawTimeline();
    this.describe();
    if (counted) {
      this.counter.framesDrawn += 1;
      if (this.playing) this.counter.times.push(performance.now());
    }
    this.root.dataset.frame = String(this.index);
    this.root.dataset.step = String(run.steps[this.index]);
    this.root.dataset.framesDrawn = String(this.counter.framesDrawn);
  }

  limit(view) {
    const limits = this.run.limits[view];
    return this.prefs.scaling === "fixed" ? limits.fixed : limits.frame[this.index];
  }

  // The value of W1 (or of W1 − W1 at the first frame) for one unit's pixel in the shown frame.
  w1Value(unit, pixel) {
    const run = this.run, at = (this.index * run.hidden + unit) * SIDE * SIDE + pixel;
    const change = run.quantum[this.index] * run.W1_change[at];
    return this.prefs.view === "W1" ? run.W1_start[unit * SIDE * SIDE + pixel] + change : change;
  }

  colour(value, limit, target, at) {
    let t = value / limit;
    t = t > 1 ? 1 : t < -1 ? -1 : t === t ? t : 0;
    const entry = 3 * Math.round((t + 1) * 127);
    const palette = this.run.palette;
    target[at] = palette[entry];
    target[at + 1] = palette[entry + 1];
    target[at + 2] = palette[entry + 2];
    target[at + 3] = 255;
  }

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
  }

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
  }

  axis() {
    return {left: 12, right: this.timeline.logical.width - 16, line: 54};
  }

  drawTimeline() {
    const run = this.run, canvas = this.timeline, context = canvas.getContext("2d");
    const {left, right, line} = this.axis();
    const last = run.steps[run.frames - 1];
    const x = (step) => left + (last > 0 ? step / last : 0) * (right - left);
    const top = 16, bottom = line - 6;  // the accuracy band: 0 % at the bottom, 100 % at the top
    const y = (value) => bottom - value * (bottom - top);
    canvas.dataset.axisLeft = String(left);  // where step 0 and the last step sit, in canvas pixels
    canvas.dataset.axisRight = String(right);
    context.clearRect(0, 0, canvas.logical.width, canvas.logical.height);
    context.font = FONT;
    context.textBaseline = "alphabetic";
    // epochs: a dashed line where each ends, each labelled at its start where there is room
    context.strokeStyle = GRID;
    context.fillStyle = TEXT;
    context.textAlign = "left";
    context.setLineDash([3, 3]);
    for (let start = 0; start <= last; start += run.training_size) {
      const at = Math.round(x(start)) + 0.5, end = Math.min(x(start + run.training_size), right);
      if (start > 0) { context.beginPath(); context.moveTo(at, 2); context.lineTo(at, line); context.stroke(); }
      const label = say("epoch", {epoch: number(start / run.training_size + 1)});
      if (start < last && end - at > context.measureText(label).width + 8) context.fillText(label, at + 4, 11);
    }
    context.setLineDash([]);
    // the test accuracy of every frame
    context.strokeStyle = ACCURACY;
    context.lineWidth = 2;
    context.beginPath();
    run.steps.forEach((step, i) => (i ? context.lineTo(x(step), y(run.accuracy[i])) : context.moveTo(x(step), y(run.accuracy[i]))));
    context.stroke();
    context.lineWidth = 1;
    // the step axis: a tick for every frame, numbers at round steps
    context.strokeStyle = TEXT;
    context.beginPath(); context.moveTo(left, line + 0.5); context.lineTo(right, line + 0.5); context.stroke();
    context.strokeStyle = "#777777";
    for (const step of run.steps) {
      const at = Math.round(x(step)) + 0.5;
      context.beginPath(); context.moveTo(at, line - 4); context.lineTo(at, line); context.stroke();
    }
    context.fillStyle = TEXT;
    context.textBaseline = "top";
    const ticks = roundSteps(last, Math.max(2, Math.floor((right - left) / 90)));
    ticks.forEach((step, i) => {
      context.textAlign = i === 0 ? "left" : i === ticks.length - 1 ? "right" : "center";
      context.fillText(i === 0 ? say("step", {step: number(0)}) : number(step), x(step) - (i === 0 ? 3 : 0) + (i === ticks.length - 1 ? 8 : 0), line + 6);
    });
    // the frame shown
    const at = Math.round(x(run.steps[this.index])) + 0.5;
    context.strokeStyle = "#111111";
    context.lineWidth = 2;
    context.beginPath(); context.moveTo(at, top - 6); context.lineTo(at, line + 4); context.stroke();
    context.lineWidth = 1;
    context.fillStyle = "#111111";
    context.beginPath(); context.arc(at, line, 5, 0, 2 * Math.PI); context.fill();
  }

  position(step) {
    const size = this.run.training_size;
    if (step === 0) return say("before_training");
    const epoch = Math.floor(step / size), into = step % size;
    return into === 0 ? say("end_of_epoch", {epoch: number(epoch)})
      : say("epoch_sample", {epoch: number(epoch + 1), sample: number(into), size: number(size)});
  }

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
  }

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
  }

  // --- reading one value under the pointer ---------------------------------------------------------

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
  }

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
  }

  clearReadout() {
    this.pointing = false;
    this.readout.textContent = say("point");
  }
}

// About `count` round numbers from 0 to `last`, and `last` itself when it is not too close to one.
function roundSteps(last, count) {
  if (last <= 0) return [0];
  const raw = last / count, power = 10 ** Math.floor(Math.log10(raw));
  const spacing = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let step = 0; step <= last; step += spacing) ticks.push(step);
  if (last - ticks[ticks.length - 1] > spacing / 2) ticks.push(last);
  return ticks;
}
