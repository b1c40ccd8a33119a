// What the Train panel (static/step_panel.js) and the Compare panel (static/compare_panel.js) share:
// the colours, the blob (ui/step_payload.py: a 4-byte header length, a JSON header, 8-byte aligned
// arrays) decoded and merged into what a panel holds, the history's bins and their trailing means
// (ui/figures.training_curves, step for step), round ticks, numbers in the language's signs; and
// what every component here uses (the Weights player and the class table too): the stylesheet's
// link, elements, SVG nodes and sharp canvases.
// Every file here is fetched with the version its importer was fetched with (`?v=`, a hash of all of
// static/, ui/static_component.py): Streamlit sends no Cache-Control, so an address without it could
// be served stale after an upgrade. A module imports this one as
//   await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url))

export const TEXT = "#3b3b3b";       // figures.FONT_COLOUR: 4.5:1 on white and more
export const GRID = "#e3e3e3";
export const AXIS = "#8a8a8a";
export const BLUE = "#0072B2";       // figures.VALUE: a plain value, and the loss
export const RED = "#D55E00";        // figures.PREDICTED: the predicted digit
export const GREEN = "#009E73";      // figures.ACCURACY
export const EPOCH_LINE = "#999999";
export const VIEWED = "#E69F00";
export const GREYED = [200, 200, 200];  // figures.GREYED: a unit whose update is exactly zero
export const FONT = "12px 'Source Sans Pro', 'Source Sans 3', sans-serif";
const SVG = "http://www.w3.org/2000/svg";
const VERSION = new URL(import.meta.url).search;  // "?v=…": the version this file was fetched with

// Another file of static/ at the same version, for import() or a stylesheet's link.
export function versioned(name) {
  return new URL(`${name}${VERSION}`, import.meta.url).href;
}

// The stylesheet `name` of static/, linked once where `host` is drawn: the page's head, or the host's
// shadow root when the component isolates its styles. Resolves when it has loaded (or failed to), so
// a first drawing is never measured or seen without its styles.
export function stylesheet(name, host) {
  const url = versioned(name), root = host.getRootNode();
  const place = root instanceof ShadowRoot ? root : document.head;
  const linked = place.querySelector(`link[data-stylesheet="${url}"]`);
  if (linked) return linked.loaded ?? Promise.resolve();
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = url;
  link.dataset.stylesheet = url;
  link.loaded = new Promise((resolve) => {
    link.addEventListener("load", resolve, {once: true});
    link.addEventListener("error", resolve, {once: true});
  });
  place.appendChild(link);
  return link.loaded;
}

// What a component's entry does first each time Streamlit calls it: its stylesheet linked (and loaded), then the
// one object `make(host)` that draws in this host (kept on the host as `name`), given the trigger that sends
// events back to Python; null before the first data.
export async function mounted(component, css, name, make) {
  const {data, parentElement, setTriggerValue} = component;
  await stylesheet(css, parentElement);
  if (!data) return null;
  const made = parentElement[name] || (parentElement[name] = make(parentElement));
  made.trigger = setTriggerValue;
  return made;
}

export function decode(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  const start = 4 + length;
  const arrays = {};
  for (const [name, [offset, dtype, count]] of Object.entries(header.blocks)) {
    // a copy: a typed array's view needs an offset aligned to its element size in the underlying buffer
    const slice = bytes.slice(start + offset, start + offset + count * {uint8: 1, int32: 4, float32: 4, float64: 8}[dtype]);
    arrays[name] = dtype === "uint8" ? slice : new {int32: Int32Array, float32: Float32Array, float64: Float64Array}[dtype](slice.buffer);
  }
  return {header, arrays, size: bytes.byteLength};
}

// A panel's memory of its blobs, empty: what receive() fills.
export function held() {
  return {serial: null, fields: {}, arrays: {}, bins: [], width: 1};
}

// One blob merged into what `panel` holds (held()'s fields): its fields set or removed, its arrays
// replaced or removed, its bins merged. Returns the blob's size, whether it was whole and the names it
// changed, or null when there is nothing new to draw: the same blob again (a redraw of Streamlit's
// own), or a change to a blob this panel never had (a blob was missed, or the panel is new): then
// `resync(serial)` asks Python for everything.
export function receive(panel, bytes, resync) {
  const {header, arrays, size} = decode(bytes);
  if (header.serial === panel.serial) return null;
  if (header.base !== null && header.base !== panel.serial) {
    resync(header.serial);
    return null;
  }
  if (header.base === null) { panel.fields = {}; panel.arrays = {}; }
  for (const [name, value] of Object.entries(header.fields)) {
    if (value === null) delete panel.fields[name]; else panel.fields[name] = value;
  }
  for (const name of header.removed) delete panel.arrays[name];
  for (const [name, array] of Object.entries(arrays)) if (name !== "bins") panel.arrays[name] = array;
  [panel.bins, panel.width] = mergedBins(panel.bins, panel.width, header.bins, arrays.bins);
  panel.serial = header.serial;
  // what the blob changed, by name (its fields and arrays; "bins" when it brought rows), for a panel that
  // redraws only those parts
  const changed = new Set([...Object.keys(header.fields), ...header.removed, ...Object.keys(arrays)]);
  if (!(arrays.bins && arrays.bins.length)) changed.delete("bins");
  return {size, full: header.base === null, changed};
}


// The bins held (rows of `info.columns` sums, `width` steps each) with a blob's bins merged in:
// pairs summed as the server's were when it doubled their width, then rows from `info.from` replaced.
export function mergedBins(bins, width, info, rows) {
  const columns = info.columns || 3;
  if (info.from === 0) { bins = []; width = info.width; }
  while (width < info.width) {
    const merged = [];
    for (let i = 0; i < bins.length; i += 2) {
      const b = bins[i + 1];
      merged.push(b ? bins[i].map((value, column) => value + b[column]) : bins[i].slice());
    }
    bins = merged;
    width *= 2;
  }
  bins.length = Math.min(bins.length, info.from);
  for (let i = 0; i < rows.length; i += columns) bins.push(Array.from(rows.subarray(i, i + columns)));
  return [bins, width];
}

// --- the curves: ui/figures.training_curves, step for step -----------------------------------

export function trainingCurves(bins, width, minWindow, maxPoints) {
  const filled = [];
  let steps = 0;
  for (let i = 0; i < bins.length; i++) if (bins[i][2] > 0) { filled.push(i); steps += bins[i][2]; }
  const windowBins = Math.max(1, Math.ceil(Math.max(minWindow, Math.floor(steps / 40)) / width));
  const n = filled.length;
  const loss = new Float64Array(n), right = new Float64Array(n), counts = new Float64Array(n);
  let sumLoss = 0, sumRight = 0, sumCount = 0;
  for (let j = 0; j < n; j++) {  // cumulative sums, then minus the sums windowBins points earlier (numpy's order)
    const row = bins[filled[j]];
    loss[j] = sumLoss += row[0]; right[j] = sumRight += row[1]; counts[j] = sumCount += row[2];
  }
  for (let j = n - 1; j >= windowBins; j--) {
    loss[j] -= loss[j - windowBins]; right[j] -= right[j - windowBins]; counts[j] -= counts[j - windowBins];
  }
  const stride = Math.max(1, Math.ceil(n / maxPoints));
  const keep = [];
  for (let j = n - 1; j >= 0; j -= stride) keep.push(j);
  keep.reverse();
  return {
    steps: keep.map((j) => filled[j] * width + bins[filled[j]][2]),
    loss: keep.map((j) => loss[j] / counts[j]),
    accuracy: keep.map((j) => right[j] / counts[j]),
    window: windowBins * width,
  };
}

// Round tick values from low to high, about `count` of them; `decimals`: what writing them needs.
export function ticks(low, high, count, integer = false) {
  if (!(high > low)) return Object.assign([low], {decimals: 0});
  const raw = integer ? Math.max(1, (high - low) / count) : (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const values = [];
  for (let i = Math.ceil(low / step - 1e-9); i * step <= high + 1e-9 * step; i++) values.push(+(i * step).toPrecision(12));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (String(step / power).includes(".") ? 1 : 0));
  return Object.assign(values, {decimals});
}

// --- words and numbers -------------------------------------------------------------------------

export function fill(template, fields = {}) {
  return (template ?? "").replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? String(fields[name]) : whole));
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

// The little markdown the panel's sentences use: **bold** and `code`.
export function inline(text) {
  return escapeHtml(text ?? "").replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>").replace(/`([^`]+)`/g, "<code>$1</code>");
}

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function svgNode(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// An integer with the language's thousands separator (plotly's separators: decimal sign, then group sign).
export function count(value, separators) {
  // One pass swaps both signs: two replaces in a row turned Greek's 1.000 back into 1,000.
  const [decimal, group] = separators || ".,";
  return Math.round(value).toLocaleString("en-US").replace(/[.,]/g, (sign) => (sign === "." ? decimal : group));
}

// A number with a fixed count of decimals in the language's decimal sign, and a true minus sign.
export function fixed(value, digits, separators) {
  const [decimal] = separators || ".,";
  return (value < 0 ? "−" : "") + Math.abs(value).toFixed(digits).replace(".", decimal);
}

// A canvas `width` x `height` CSS pixels, backed by enough device pixels to stay sharp on a dense screen.
export function size(canvas, width, height) {
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

export function show(node, visible) {
  node.hidden = !visible;
}
