// The Weights screen's track (static/weight_player.js gathers these methods onto its Player): the
// epochs, every frame's test accuracy as a line, the step axis with a tick a frame, and the frame
// shown; and where a step stands in its epoch, in words.

const {ACCURACY, FONT, GRID, TEXT, number, say} =
  await import(new URL(`weight_kit.js${new URL(import.meta.url).search}`, import.meta.url));

export const track = {
  axis() {
    return {left: 12, right: this.timeline.logical.width - 16, line: 54};
  },

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
  },

  position(step) {
    const size = this.run.training_size;
    if (step === 0) return say("before_training");
    const epoch = Math.floor(step / size), into = step % size;
    return into === 0 ? say("end_of_epoch", {epoch: number(epoch)})
      : say("epoch_sample", {epoch: number(epoch + 1), sample: number(into), size: number(size)});
  }
};

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
