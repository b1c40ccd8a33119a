// What the Weights screen's player (static/weight_player.js) and its parts share: the frames' bytes
// decoded (ui/weight_frames.py writes them), the sizes and colours, the run's words and numbers in
// its language, and the preferences kept in this tab. static/panel_kit.js gives the rest (elements,
// the stylesheet, sharp canvases).
// Every word comes from Python, translated there (gettext runs on the server): the header's `text`
// holds each message as a template with named {fields}, and `separators` the language's decimal sign
// and thousands separator (ui/weight_player.py); speak() takes them when a run is loaded.

export const SPEEDS = [5, 10, 20, 30];  // frames per second
export const SIDE = 28;                 // a W1 template is 28x28 pixels
export const TILE_GAP = 6;              // screen pixels between two templates
export const FONT = "12px 'Source Sans Pro', 'Source Sans 3', sans-serif";
export const TEXT = "#3b3b3b";          // figures.FONT_COLOUR: 4.5:1 on white and more
export const GRID = "#b5b5b5";
export const ACCURACY = "#009E73";      // figures.ACCURACY, the Train screen's accuracy colour
export const VEIL = "rgba(190,190,190,0.6)";
export const VIEWS = {
  W1: {name: "W1", symbol: "|W1|"},
  W1_change: {name: "", symbol: ""},  // named in the run's language, with its first step, by Player.load
};
let WORDS = {};                  // the run's messages, by name
let SEPARATORS = ".,";           // the run's decimal sign, then its thousands separator

// The run's messages and its language's signs, from then on.
export function speak(text, separators) {
  WORDS = text || {};
  SEPARATORS = separators || ".,";
}

// The message `name` with its {fields} filled in.
export const say = (name, fields = {}) =>
  (WORDS[name] ?? name).replace(/\{(\w+)\}/g, (whole, field) => (field in fields ? String(fields[field]) : whole));
// Digits written with dots and commas (JavaScript's own) in the run's language's signs.
export const local = (text) => text.replace(/[.,]/g, (sign) => (sign === "." ? SEPARATORS[0] : SEPARATORS[1]));

export function decode(bytes) {
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

export const number = (value) => local(Math.round(value).toLocaleString("en-US"));
export const fixed = (value, digits) => local(value.toFixed(digits));
export const signed = (value, digits = 2) => (value >= 0 ? "+" : "−") + fixed(Math.abs(value), digits);
export const short = (value) => local(value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toPrecision(2));

export function preferences() {
  const memory = window.__backpropLab || (window.__backpropLab = {});
  return memory.playback || (memory.playback = {fps: 10, view: "W1", scaling: "fixed"});
}
