// The Loss surface screen's charts (ui/surface_panel.py mounts each one with its blob; Streamlit serves
// this file and its neighbours from static/, fetched once by version): the surface from above
// (static/surface_map.js), the surface in 3-D (static/surface_3d.js) and the line charts
// (static/surface_lines.js), and Compare's shared plane with every run's path (static/surface_runs.js),
// all drawn from numbers on canvases, without plotly. The blob says which
// view a mount is; each host keeps its view and redraws it when its width changes.
// window.__surfaceCharts counts the views drawn, by kind, for tests and benchmarks.

const version = new URL(import.meta.url).search;  // "?v=…": what this file's neighbours are fetched with
const near = (name) => import(new URL(`${name}${version}`, import.meta.url));
// Every module and the stylesheet asked for at once (surface_kit.js too, which the views import): a
// chain of imports costs a round trip each while the screen opens, about 100 ms each on a busy server.
// The component is drawn in the page itself (ui/static_component.py), so its stylesheet goes in the head.
const loading = near("panel_kit.js");
const styled = loading.then((kit) => kit.stylesheet("surface_panel.css", document.body));
const [kit, , {SurfaceMap}, {Surface3d}, {Lines}, {RunsMap, Runs3d}] = await Promise.all(
  [loading, ...["surface_kit.js", "surface_map.js", "surface_3d.js", "surface_lines.js", "surface_runs.js"].map(near)]);

const VIEWS = {map: SurfaceMap, "3d": Surface3d, lines: Lines, runs_map: RunsMap, runs_3d: Runs3d};

export default async function (component) {
  const {data, parentElement} = component;
  await styled;
  if (!data) return;
  const {header, arrays} = kit.decode(data);
  const {fields} = header;
  let view = parentElement.__surfaceView;
  if (!view || view.kind !== fields.view) {
    parentElement.replaceChildren();
    view = parentElement.__surfaceView = new VIEWS[fields.view](parentElement);
    view.kind = fields.view;
    let width = 0;
    new ResizeObserver(() => {
      const now = parentElement.clientWidth;
      if (Math.abs(now - width) > 1) { width = now; view.draw(); }
    }).observe(parentElement);
  }
  if (view.bytes && equal(view.bytes, data)) return;  // Streamlit's own redraw: nothing new
  view.bytes = data;
  view.load(fields, arrays);
  view.draw();
  const drawn = (window.__surfaceCharts = window.__surfaceCharts || {});
  drawn[fields.view] = (drawn[fields.view] || 0) + 1;
}

function equal(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
