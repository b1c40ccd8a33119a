// The Train panel's timeline (static/step_panel.js gathers these methods onto its Panel): the slider
// with the epochs' ticks and the drawn steps on its strip, the step box, ◀ ▶ and "Back to now", and
// keys B and F. Each move goes back to Python as an action {kind: "goto", step}.

const {element, fill, show} = await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));

export const timeline = {
  buildTimeline() {
    const box = element("div", "sp-timeline");
    const label = element("label", "sp-label");
    const title = element("span");
    const value = element("span", "sp-slider-value");
    label.append(title, value);
    const slider = element("input", "sp-slider");
    slider.type = "range";
    slider.addEventListener("input", () => {
      value.textContent = fill(this.fields.text.step_value, {step: this.count(Number(slider.value))});
    });
    slider.addEventListener("change", () => this.goTo(Number(slider.value)));
    const strip = element("div", "sp-strip");
    strip.setAttribute("aria-hidden", "true");
    const row = element("div", "sp-row");
    // A text box, not type="number": a number box shows 89016 with no thousands separator in any language, where
    // every other step on the screen reads 89,016 (Greek 89.016). Any separator typed is ignored, so "89016",
    // "89,016" and "89.016" all go to step 89016.
    const goto = element("input", "sp-goto");
    goto.type = "text";
    goto.inputMode = "numeric";
    const typed = () => { const digits = goto.value.replace(/\D/g, ""); return digits ? Number(digits) : NaN; };
    goto.addEventListener("keydown", (event) => { if (event.key === "Enter") this.goTo(typed()); });
    goto.addEventListener("change", () => this.goTo(typed()));
    const back = this.button("back", () => this.goTo(this.fields.timeline.shown - 1));
    back.textContent = "◀";
    const forward = this.button("forward", () => this.goTo(this.fields.timeline.shown + 1));
    forward.textContent = "▶";
    const now = this.button("now", () => this.act("now"), true);
    const marks = element("span", "sp-caption sp-marks");
    row.append(goto, back, forward, now, marks);
    box.append(label, slider, strip, row);
    return {box, title, value, slider, strip, goto, back, forward, now, marks};
  },

  goTo(step) {
    const timeline = this.fields.timeline;
    if (!timeline || !Number.isFinite(step)) return;
    step = Math.min(Math.max(Math.round(step), timeline.first), timeline.last);
    if (step === this.asked) return;  // Enter, then the change event of the same number
    this.asked = step;
    this.act("goto", {step});
  },

  key(event) {
    const timeline = this.fields.timeline;
    if (!timeline || !this.root.isConnected || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const key = event.key.toLowerCase();
    if (key === "b" && timeline.shown > timeline.first) this.goTo(timeline.shown - 1);
    else if (key === "f" && timeline.shown < timeline.last) this.goTo(timeline.shown + 1);
  },

  renderTimeline() {
    const tl = this.fields.timeline, t = this.fields.text, parts = this.timeline;
    show(parts.box, !!tl);
    if (!tl) return;
    parts.title.textContent = t.timeline;
    parts.title.title = t.timeline_help;
    parts.value.textContent = tl.shown_text;
    Object.assign(parts.slider, {min: tl.first, max: tl.last});
    parts.slider.value = tl.shown;
    parts.slider.setAttribute("aria-label", t.timeline);
    parts.slider.setAttribute("aria-valuetext", tl.shown_text);
    parts.slider.title = t.timeline_help;
    parts.goto.value = this.count(tl.shown);
    parts.goto.setAttribute("aria-label", t.goto);
    parts.back.title = t.back;
    parts.back.disabled = tl.shown === tl.first;
    parts.forward.title = t.forward;
    parts.forward.disabled = tl.shown === tl.last;
    parts.now.textContent = t.now;
    show(parts.now, this.fields.mode === "past");
    parts.marks.textContent = tl.marks || "";
    const left = (step) => `${(100 * (step - tl.first) / (tl.last - tl.first)).toFixed(3)}%`;
    parts.strip.replaceChildren(
      ...tl.ticks.flatMap(([step, title, label]) => {
        const line = element("div", "sp-tick");
        line.style.left = left(step);
        line.title = title;
        const word = element("div", "sp-tick-label", label);
        word.style.left = left(step);
        return [line, word];
      }),
      ...tl.dots.map(([step, title]) => {
        const dot = element("div", "sp-dot");
        dot.style.left = left(step);
        dot.title = title;
        return dot;
      }));
    show(parts.strip, tl.ticks.length + tl.dots.length > 0);
  }
};
