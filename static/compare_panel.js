// The Compare screen's runs (ui/compare_panel.py mounts it; Streamlit serves this file and the modules
// beside it from static/, so the browser fetches them once). Each click brings one blob of what changed
// (ui/step_payload.py): the runs' history bins side by side, four columns a run (own loss, Σ(A2 − y)²,
// correct, steps), each run's silent units and ‖θ − θ0‖ at its snapshots, the W1 tiles whose colours
// moved, and the words that changed. The panel keeps what it was sent, merges the changes and redraws
// the parts whose numbers or words changed: the table (compare_words.js), the six panels of curves
// (compare_curves.js), the reading and every run's W1 (compare_weights.js). Words and the table's and
// reading's numbers come made and translated from Python; the curves' numbers are written with the
// language's decimal sign. window.__comparePanel exposes what was drawn, for tests and benchmarks.

// static/panel_kit.js (the blob, the curves, ticks, numbers, nodes) and this panel's modules, fetched with
// this file's version (ui/static_component.py)
const version = new URL(import.meta.url).search;
const near = (name) => import(new URL(`${name}${version}`, import.meta.url));
const [common, curves, words, weights] = await Promise.all(
  ["panel_kit.js", "compare_curves.js", "compare_words.js", "compare_weights.js"].map(near));
const parts = {curves, words, weights};

export default async function (component) {
  const { data, parentElement, setTriggerValue } = component;
  await Promise.all([common.stylesheet("step_panel.css", parentElement),
                     common.stylesheet("compare_panel.css", parentElement)]);
  if (!data) return;
  const panel = parentElement.__comparePanel || (parentElement.__comparePanel = new ComparePanel(parentElement));
  panel.trigger = setTriggerValue;
  panel.receive(data);
}

// What each part is drawn from: a change to any of these redraws it.
const TABLE = ["table", "text"];
const CURVES = ["curves", "curves_caption", "runs", "hidden", "epoch_ends", "window_min", "curve_points", "text",
                "separators", "percent_digits"];
const WEIGHTS = ["weights", "runs"];

class ComparePanel {
  constructor(host) {
    const {element} = common;
    Object.assign(this, common.held());
    this.root = element("div", "sp cp");
    this.table = element("div", "cp-table");
    this.note = element("div", "cp-note-box");
    this.curvesBox = element("div", "cp-curves");
    this.curvesCaption = element("p", "sp-caption");
    this.reading = element("div", "cp-reading");
    this.weightsBox = element("div", "cp-weights");
    this.root.append(this.table, this.note, this.curvesBox, this.curvesCaption, this.reading, this.weightsBox);
    host.appendChild(this.root);
    this.curves = new parts.curves.Curves(common, this, this.curvesBox);
    this.weights = new parts.weights.Weights(common, this, this.weightsBox);
    this.lastWidth = 0;
    new ResizeObserver(() => {
      if (Math.abs(this.root.clientWidth - this.lastWidth) > 1 && this.serial !== null) this.render(null);
    }).observe(this.root);
    window.__comparePanel = {};
  }

  receive(bytes) {
    const blob = common.receive(this, bytes, (serial) => this.trigger && this.trigger("resync", serial));
    if (!blob) return;
    Object.assign(window.__comparePanel, {serial: this.serial, bytes: blob.size, full: blob.full});
    this.render(blob.full ? null : blob.changed);
  }

  // The parts whose inputs are in `changed` (every part when it is null: a full blob, a new width).
  render(changed) {
    const started = performance.now();
    this.lastWidth = this.root.clientWidth;
    const f = this.fields, words = parts.words, available = Math.max(200, this.root.clientWidth || 600);
    const any = (names) => changed === null || names.some((name) => changed.has(name));
    const arrays = (test) => changed === null || [...changed].some(test);
    if (any(TABLE)) words.table(common, this.table, f.table, f.text.table);
    if (any(["note"])) words.note(common, this.note, f.note);
    this.curvesBox.hidden = !f.curves;
    if (f.curves && (any(CURVES) || arrays((name) => name === "bins" || /^(silent|distance)/.test(name)))) {
      this.curves.render(available);
    }
    if (any(["curves_caption"])) words.caption(this.curvesCaption, f.curves_caption);
    if (any(["reading", "text"])) words.reading(common, this.reading, f.text.reading, f.reading);
    if (any(WEIGHTS) || arrays((name) => name.startsWith("W1_"))) this.weights.render(available, changed);
    window.__comparePanel.drawn = changed === null ? "all" : [...changed].sort();
    window.__comparePanel.renderMs = performance.now() - started;  // for bench/compare_latency.py
  }
}
