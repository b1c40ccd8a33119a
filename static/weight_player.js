// The Weights screen's player (ui/weight_player.py mounts it; Streamlit serves it from static/, so the
// browser fetches it once). Every frame of the weights' history arrives at once, as the bytes
// ui/weight_frames.py writes; playing, scrubbing, the view and the colour scale all change here, in
// the browser, with no round trip to the server. This file holds the player's controls, its layout
// and its clock; static/weight_frame.js draws a frame (W1 with putImageData, W2 with fillRect) and
// static/weight_timeline.js the track under the controls; static/weight_kit.js holds what they share.
// window.__backpropPlayback counts the frames drawn, for bench/playback_fps.py and the browser tests:
// framesDrawn in all, when Play was last pressed (started) and the performance.now() of each frame
// drawn since then (times).

const version = new URL(import.meta.url).search;  // "?v=…": what this file's neighbours are fetched with
const near = (name) => import(new URL(`${name}${version}`, import.meta.url));
const [{element, mounted, size}, kit, {frame}, {track}] = await Promise.all(
  ["panel_kit.js", "weight_kit.js", "weight_frame.js", "weight_timeline.js"].map(near));
const {SIDE, SPEEDS, TILE_GAP, VIEWS, decode, number, preferences, say, speak} = kit;

export default async function (component) {
  const player = await mounted(component, "weight_player.css", "__weightPlayer", (host) => new Player(host));
  if (!player) return;
  player.load(component.data);
  return () => player.pause();
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
    speak(this.run.text, this.run.separators);
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
}

Object.assign(Player.prototype, frame, track);
