// Lines for the chart kit (static/chart_kit.js calls these with `this` its Chart): named curves over
// one numeric x axis, each its colour and dash from Python (figures.lines' palette), on a linear or a
// log y axis; the pointer or the arrow keys mark the nearest x and read every curve's value there,
// written with four significant digits in the language's decimal sign (or a series' own sentences,
// `said`, made in Python). Options for an axis of epochs (Train): `steps` (a value holds until the
// next x), `markers` (a dot per point), a series' `labels` written beside its points, `x_pad` (room
// past the ends), `x_every` (a tick at every multiple), `y_range`.

const {AXIS, fill, svgNode, ticks} =
  await import(new URL(`panel_kit.js${new URL(import.meta.url).search}`, import.meta.url));

export const linesKind = {
  draw() {
    const f = this.fields, xs = this.arrays.x, ys = this.arrays.y, n = f.count;
    this.height = f.height - 34;
    const all = Array.from(ys).filter((v) => Number.isFinite(v) && (!f.log_y || v > 0));
    let low = all.length ? Math.min(...all) : 0, high = all.length ? Math.max(...all) : 1;
    if (f.y_range) {
      [low, high] = f.y_range;
    } else if (f.log_y) {
      low = 10 ** Math.floor(Math.log10(low || 1e-12));
      high = 10 ** Math.ceil(Math.log10(high || 1) + 1e-9);
      if (high <= low) high = low * 10;
    } else {
      const pad = (high - low || 1) * 0.05;
      low -= pad; high += pad;
    }
    const legendRows = 0;
    const box = this.frame({l: 62, r: 12, t: 10, b: 42 + legendRows}, low, high, f.log_y);
    const nodes = this.yAxis(box, low, high, f.log_y);
    const pad = f.x_pad || 0, first = (n ? xs[0] : 0) - pad, last = (n ? Math.max(xs[n - 1], xs[0] + 1) : 1) + pad;
    const x = (value) => box.left + (box.right - box.left) * (value - first) / (last - first);
    this.x = x;
    for (const v of xTicks(first, last, f.x_every, this.phone() ? 3 : 5)) {
      nodes.push(svgNode("text", {x: x(v), y: box.bottom + 15, "text-anchor": "middle", class: "ck-tick"}, this.count(v)));
    }
    nodes.push(svgNode("line", {x1: box.left, x2: box.right, y1: box.bottom, y2: box.bottom, stroke: AXIS}));
    f.series.forEach((series, s) => {
      const points = [], dots = [];
      for (let i = 0; i < n; i++) {
        const v = ys[s * n + i];
        if (!Number.isFinite(v) || (f.log_y && v <= 0)) continue;
        const px = x(xs[i]).toFixed(1), py = box.y(v).toFixed(1);
        points.push(!points.length ? `M${px},${py}` : f.steps ? `H${px}V${py}` : `L${px},${py}`);
        if (f.markers) dots.push(svgNode("circle", {cx: px, cy: py, r: 3.5, fill: series.colour, class: "ck-dot"}));
        if (series.labels) {  // below right of its point, as plotly's "bottom right"; left of it near the right edge
          const left = +px + 5 + 6.2 * series.labels[i].length > this.width;
          dots.push(svgNode("text", {x: left ? +px - 5 : +px + 5, y: +py + 15, "text-anchor": left ? "end" : "start",
                                     class: "ck-value"}, series.labels[i]));
        }
      }
      nodes.push(svgNode("path", {d: points.join(""), fill: "none", stroke: series.colour, "stroke-width": 2,
                                  "stroke-dasharray": series.dash, class: "ck-line"}), ...dots);
    });
    this.targets = Array.from({length: n}, (_, i) => {
      const at = f.series.map((_, s) => box.y(ys[s * n + i]));
      return {series: 0, index: i, x: x(xs[i]), w: 0, y: Math.min(...at), h: 0};
    });
    nodes.push(this.xTitle(box, this.height - 4));
    return nodes;
  },

  hit(px) {
    if (!this.targets.length || px < this.box.left - 10 || px > this.box.right + 10) return null;
    let best = 0;
    this.targets.forEach((target, i) => { if (Math.abs(target.x - px) < Math.abs(this.targets[best].x - px)) best = i; });
    return best;
  },

  outline(target) {
    const f = this.fields, n = f.count, box = this.box;
    const nodes = [svgNode("line", {x1: target.x, x2: target.x, y1: box.top, y2: box.bottom, stroke: "#111111",
                                    class: "ck-marked"})];
    f.series.forEach((series, s) => {
      const v = this.arrays.y[s * n + target.index];
      if (Number.isFinite(v) && (!f.log_y || v > 0)) {
        nodes.push(svgNode("circle", {cx: target.x, cy: box.y(v), r: 4, fill: series.colour, stroke: "white"}));
      }
    });
    return nodes;
  },

  text(target) {
    const f = this.fields, n = f.count, at = this.count(this.arrays.x[target.index]);
    return f.series.map((series, s) => (series.said ? series.said[target.index]
      : fill(series.hover, {value: this.precise(this.arrays.y[s * n + target.index], 4), x: at})));
  },
};

// The x ticks: every multiple of `every` between the ends when there are few (an epoch axis), round ones otherwise.
function xTicks(first, last, every, count) {
  if (!every || (last - first) / every > 20) return ticks(first, last, count, true);
  const values = [];
  for (let v = Math.ceil(first / every) * every; v <= last; v += every) values.push(v);
  return values;
}
