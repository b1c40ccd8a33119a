// What the Loss surface screen's three chart views share (static/surface_panel.js mounts them): the
// viridis colour scale (plotly's, stop for stop, so the colours match what the screen showed before),
// a chart's frame (title, canvas, hover box, legend, a line saying how to use the keys, a live region
// a screen reader reads the hover from), the colour bar, numbers in the language's signs, and the
// pointer's place on a canvas. Every word comes from Python and goes in as textContent.

const kit = await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));
const {element, fill, fixed, ticks, TEXT, FONT} = kit;
export {kit};

// plotly's Viridis: 17 stops, evenly spaced
const VIRIDIS = ["#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e", "#21918c",
  "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b", "#addc30", "#d8e219", "#fde725"]
  .map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

// A colour scale as 256 colours, [r, g, b] each, from the low end (0) to the high end (255), between
// `stops` ([place in [0, 1], [r, g, b]], as plotly's colorscales; evenly spaced when given bare colours).
export function scaleOf(stops) {
  const placed = stops.map((stop, i) => (stop.length === 2 ? stop : [i / (stops.length - 1), stop]));
  return Array.from({length: 256}, (_, k) => {
    const t = k / 255, i = Math.max(0, placed.findIndex(([place]) => place >= t) - 1);
    const [p0, c0] = placed[i], [p1, c1] = placed[Math.min(i + 1, placed.length - 1)];
    const f = p1 > p0 ? (t - p0) / (p1 - p0) : 0;
    return c0.map((value, c) => Math.round(value + f * (c1[c] - value)));
  });
}

export const SCALE = scaleOf(VIRIDIS);

// The scale's colour for `value` between low and high, as [r, g, b]; above high, the high end's.
export function colour(value, low, high, scale = SCALE) {
  const t = high > low ? (value - low) / (high - low) : 0.5;
  if (!Number.isFinite(t)) return [200, 200, 200];  // no loss to show: grey, as a greyed unit elsewhere
  return scale[Math.max(0, Math.min(255, Math.round(t * 255)))];
}

export const css = ([r, g, b], shade = 1) => `rgb(${Math.round(r * shade)},${Math.round(g * shade)},${Math.round(b * shade)})`;

// The smallest and largest of an array (NaN left out).
export function extent(values) {
  let low = Infinity, high = -Infinity;
  for (const v of values) if (v === v) { if (v < low) low = v; if (v > high) high = v; }
  return [low, high];
}

// A tick value written with the tick list's decimals, in the language's decimal sign.
export const tickText = (value, list, separators) => fixed(Math.abs(value) < 1e-12 ? 0 : value, list.decimals, separators);

// A number to `digits` significant digits, trailing zeros dropped, as Python's "{:.3g}" (in the language's signs).
export function general(value, digits, separators) {
  const [decimal] = separators || ".,";
  const text = Math.abs(value) < 1e-12 ? "0" : Math.abs(value).toPrecision(digits);
  const [mantissa, exponent] = text.split("e");
  const plain = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
  const power = exponent ? `e${exponent[0]}${exponent.slice(1).padStart(2, "0")}` : "";
  return (value < 0 && text !== "0" ? "−" : "") + plain.replace(".", decimal) + power;
}

// An accuracy as "91,25%" in the language's signs, two decimals (locales.percent).
export const percentText = (fraction, separators) => `${fixed(100 * fraction, 2, separators)}%`;

// What the Loss surface's views (from above and in 3-D) read at grid point (i, j) of `view`: a and b, the loss and
// the accuracy there, in the blob's hover sentence.
export function gridPointText(view, i, j) {
  const {text, separators} = view.fields, {alphas, betas, losses, accuracies} = view.arrays, k = j * view.n + i;
  return fill(text.hover, {a: fixed(alphas[i], 2, separators), b: fixed(betas[j], 2, separators),
                           loss: fixed(losses[k], 4, separators), accuracy: percentText(accuracies[k], separators)});
}

// A chart's frame in `host`: title, a canvas that takes the keyboard's focus (role img, its alt text
// as aria-label), a hover box over it, a legend and a line on the keys under it.
export function frame(host, className) {
  const root = element("figure", `sf ${className}`);
  const title = element("figcaption", "sf-title");
  const stage = element("div", "sf-stage");
  const canvas = element("canvas", "sf-canvas");
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "img");
  const tip = element("div", "sf-tip");
  tip.hidden = true;
  tip.setAttribute("aria-hidden", "true");  // the live region says it to a screen reader, once
  const live = element("p", "sf-live");
  live.setAttribute("aria-live", "polite");
  const legend = element("div", "sf-legend");
  const keys = element("p", "sf-keys");
  stage.append(canvas, tip);
  root.append(title, stage, legend, keys, live);
  host.appendChild(root);
  return {root, title, stage, canvas, tip, live, legend, keys};
}

// The frame's words: title, alt text, the keys' line.
export function words(parts, text, alt) {
  parts.title.textContent = text.title || "";
  parts.canvas.setAttribute("aria-label", alt || text.title || "");
  parts.keys.textContent = text.keys || "";
}

// The hover box at canvas point (x, y) saying `text` (lines split by "\n"), kept inside the stage.
export function tipAt(parts, x, y, text) {
  const {tip, stage, live} = parts;
  tip.textContent = text;
  tip.hidden = false;
  const width = tip.offsetWidth, height = tip.offsetHeight, room = stage.clientWidth;
  const left = x + 14 + width > room ? Math.max(0, x - 14 - width) : x + 14;
  tip.style.left = `${left}px`;
  tip.style.top = `${Math.max(0, y - height - 8)}px`;
  live.textContent = text;
}

export function hideTip(parts) {
  parts.tip.hidden = true;
}

// The pointer's place in the canvas, in CSS pixels.
export function pointer(canvas, event) {
  const box = canvas.getBoundingClientRect();
  return [event.clientX - box.left, event.clientY - box.top];
}

// A legend entry: a small drawn swatch (`draw(context)` in a 26x14 box) and its name.
export function legendEntry(name, draw) {
  const entry = element("span", "sf-legend-entry");
  const swatch = element("canvas", "sf-swatch");
  swatch.setAttribute("aria-hidden", "true");
  draw(kit.size(swatch, 26, 14));
  entry.append(swatch, element("span", "", name));
  return entry;
}

// The colour bar from low to high in the box (x, top, 12 wide, height tall), its ticks to its right
// and its title turned up the right-hand side; returns the width it took.
export function colourBar(context, x, top, height, low, high, title, separators, scale = SCALE) {
  for (let k = 0; k < height; k++) {
    context.fillStyle = css(colour(high - (k / Math.max(1, height - 1)) * (high - low), low, high, scale));
    context.fillRect(x, top + k, 12, 1.5);
  }
  context.strokeStyle = "#8a8a8a";
  context.lineWidth = 1;
  context.strokeRect(x + 0.5, top + 0.5, 11, height - 1);
  context.font = FONT;
  context.fillStyle = TEXT;
  context.textBaseline = "middle";
  context.textAlign = "left";
  const list = ticks(low, high, Math.max(2, Math.floor(height / 45)));
  let widest = 0;
  for (const value of list) {
    const y = top + (high > low ? (high - value) / (high - low) : 0.5) * height;
    const text = tickText(value, list, separators);
    context.fillRect(x + 12, y, 3, 1);
    context.fillText(text, x + 18, y);
    widest = Math.max(widest, context.measureText(text).width);
  }
  context.save();
  context.translate(x + 24 + widest + 6, top + height / 2);
  context.rotate(Math.PI / 2);
  context.textAlign = "center";
  context.textBaseline = "middle";
  context.fillText(title, 0, 0);
  context.restore();
  return 24 + widest + 18;
}

// The path as plotly drew it: a black line under a white one, then white dots edged in black.
export function drawPath(context, points, lineWidth = 2.5, dot = 3.5) {
  if (points.length > 1) {
    for (const [style, width] of [["#000000", lineWidth + 2.5], ["#ffffff", lineWidth]]) {
      context.strokeStyle = style;
      context.lineWidth = width;
      context.lineJoin = "round";
      context.beginPath();
      points.forEach(([x, y], i) => (i ? context.lineTo(x, y) : context.moveTo(x, y)));
      context.stroke();
    }
  }
  context.fillStyle = "#ffffff";
  context.strokeStyle = "#000000";
  context.lineWidth = 1.5;
  for (const [x, y] of points) {
    context.beginPath();
    context.arc(x, y, dot, 0, 2 * Math.PI);
    context.fill();
    context.stroke();
  }
}

// The current weights: a white star edged in black (radius r), as plotly's "star" marker.
export function drawStar(context, x, y, r = 8) {
  context.beginPath();
  for (let k = 0; k < 10; k++) {
    const angle = -Math.PI / 2 + (k * Math.PI) / 5, radius = k % 2 ? r * 0.45 : r;
    context.lineTo(x + radius * Math.cos(angle), y + radius * Math.sin(angle));
  }
  context.closePath();
  context.fillStyle = "#ffffff";
  context.strokeStyle = "#000000";
  context.lineWidth = 1.5;
  context.fill();
  context.stroke();
}

// θ0: a white square edged in black.
export function drawStart(context, x, y, r = 5) {
  context.fillStyle = "#ffffff";
  context.strokeStyle = "#000000";
  context.lineWidth = 1.5;
  context.fillRect(x - r, y - r, 2 * r, 2 * r);
  context.strokeRect(x - r, y - r, 2 * r, 2 * r);
}

// The nearest of `points` ([x, y] each) to (x, y) within `reach` pixels: its index, or -1.
export function nearest(points, x, y, reach = 8) {
  let best = -1, distance = reach * reach;
  points.forEach(([px, py], i) => {
    const d = (px - x) ** 2 + (py - y) ** 2;
    if (d <= distance) { best = i; distance = d; }
  });
  return best;
}
