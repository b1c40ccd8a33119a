"""The Loss surface screen's charts as one component drawn in the browser from compact numbers.

Plotly's 3-D surface cost the screen's opening about two seconds in the browser (its 3.5 MB chunk
and WebGL set-up), so static/surface_panel.js and the modules beside it draw the charts themselves:
the surface seen from above (a heat map with contour lines, the colour bar, the projected path and
θ), the surface in 3-D (canvas 2D, quads painted back to front, turned by a drag or the arrow keys),
and the two line charts under them. Compare's shared plane is drawn by the same views with every
run's path (ui/compare_figures.py, static/surface_runs.js): no screen of the app loads plotly now.

Each mount gets one blob (ui/step_payload.encode): the grid of losses and accuracies as float32
(losses[j, i] at θ + alphas[i]·d1 + betas[j]·d2, rows along b), the path and its words. Words and
the numbers a reader reads are made here, in the session's language; the browser writes the hover's
and the axes' numbers with the language's signs (`separators`: its decimal sign, then its thousands separator).
"""

from __future__ import annotations

import numpy as np

from locales import _, number, percent, number_separators
from ui import static_component
from ui.step_payload import decode, encode

_component = static_component.component("backprop_surface", "surface_panel.js")


def _joined(title: str) -> str:
    """A translated title's line break (<br>) as a space: the browser wraps a title by itself."""
    return title.replace("<br>", " ")


def surface_text(z_title: str) -> dict:
    """The words both views of the surface use, by the names static/surface_*.js reads."""
    return {
        "a_title": _("a (along d1)"), "b_title": _("b (along d2)"), "z_title": z_title, "colour_title": z_title,
        "hover": _("a {a}, b {b}: loss {loss}, accuracy {accuracy}"),
        "trajectory": _("trajectory (projected)"), "current": _("current θ"),
        "start": _("θ0, the initial weights"), "line": _("straight line θ0 → θ (projected)"),
    }


def _path_words(result) -> dict:
    """Each snapshot's hover text in either view, and whether the path starts at θ0 (step 0)."""
    on_map, on_surface = _("step {step}, {distance} off the plane"), _("step {step}: surface loss {loss}")
    steps = [int(step) for step in result.trajectory_steps]
    return {
        "path_map": [on_map.format(step=number(step), distance=number(distance, ".3g"))
                     for step, distance in zip(steps, result.trajectory_distance)],
        "path_surface": [on_surface.format(step=number(step), loss=number(value, ".4f"))
                         for step, value in zip(steps, result.trajectory_surface_loss)],
        "starts_at_initial": bool(steps) and steps[0] == 0,
    }


def surface_alt(result, z_title: str) -> str:
    """What a screen reader hears of the surface: the loss at the current weights, the grid, the loss's range."""
    span = number(result.span, "g")
    return _("{z_title} on the plane through the current weights, a and b from −{span} to +{span}: from {low} to "
             "{high}; at the current weights (0, 0) {current}, accuracy {accuracy}.").format(
                 z_title=z_title[:1].upper() + z_title[1:], span=span, low=number(float(np.min(result.losses)), ".4f"),
                 high=number(float(np.max(result.losses)), ".4f"), current=number(result.current_loss, ".4f"),
                 accuracy=percent(result.current_accuracy))


def surface_blob(result, view: str, z_title: str) -> bytes:
    """One view ("map": from above, "3d": in 3-D) of `result` as a blob: the grid as float32, the path, the words."""
    text = surface_text(z_title)
    if view == "map":
        text.update(title=_joined(_("Contours: the path projected<br>(white dots), θ (star)")),
                    keys=_("Hover or move with the arrow keys to read the loss at a point of the grid."))
    else:
        text.update(title=_("Loss over the plane θ + a·d1 + b·d2"), colour_title=_("loss"),
                    keys=_("Drag, or focus and press the arrow keys, to turn the surface; hover to read the loss."))
    fields = {"view": view, "text": text, "separators": number_separators(), "alt": surface_alt(result, z_title),
              "span": result.span, "current_loss": result.current_loss, **_path_words(result)}
    blocks = {"alphas": np.asarray(result.alphas, dtype=np.float64), "betas": np.asarray(result.betas, dtype=np.float64),
              "losses": np.ascontiguousarray(result.losses, dtype=np.float32),
              "accuracies": np.ascontiguousarray(result.accuracies, dtype=np.float32),
              "path_a": np.asarray(result.trajectory_a, dtype=np.float64),
              "path_b": np.asarray(result.trajectory_b, dtype=np.float64),
              "path_loss": np.asarray(result.trajectory_surface_loss, dtype=np.float64)}
    return encode({"serial": 1, "base": None, "fields": fields, "removed": []}, blocks)


SERIES_STYLE = ("colour", "dash", "marker", "legend")  # what a series may set for itself (static/surface_lines.js)


def lines_blob(x, series: list[dict], title: str, x_title: str, y_title: str, right_title: str | None = None,
               alt: str = "", from_zero: bool = False) -> bytes:
    """A line chart: `series` are {"name", "values" (NaN: no point), "texts" (each point's hover, made here), "right"
    (bool), "markers" (bool)} and may set their own "colour", "dash", "marker" and "legend" (False: left out of it);
    the right axis, when one is used, runs from 0 to 100% (an accuracy). `from_zero`: the y axis starts at 0."""
    fields = {"view": "lines", "separators": number_separators(), "alt": alt, "from_zero": from_zero,
              "text": {"title": _joined(title), "x_title": x_title, "y_title": y_title, "right_title": right_title or "",
                       "keys": _("Hover or move with the arrow keys to read the values at a point."),
                       "right_ticks": [percent(share, 0) for share in (0, 0.25, 0.5, 0.75, 1)]},
              "series": [{"name": line["name"], "texts": line["texts"], "right": bool(line.get("right")),
                          "markers": bool(line.get("markers")),
                          **{style: line[style] for style in SERIES_STYLE if style in line}} for line in series]}
    blocks = {"x": np.asarray(x, dtype=np.float64)}
    blocks.update({f"y{i}": np.asarray(line["values"], dtype=np.float64) for i, line in enumerate(series)})
    return encode({"serial": 1, "base": None, "fields": fields, "removed": []}, blocks)


def point_texts(name: str, x, values, spec: str = ".4g", x_spec: str = ",") -> list[str]:
    """Each point's hover text, "{name}: {value} at {x}", in the session's language (figures.lines' words)."""
    at = _("{name}: {value} at %{x}").replace("%{x}", "{x}")
    return [at.format(name=name, value=number(float(value), spec), x=number(float(step), x_spec))
            for step, value in zip(x, values)]


def show(blob: bytes, key: str) -> None:
    """Mount one chart (its blob says which view it is)."""
    _component(data=blob, key=key)


def fields_of(blob: bytes) -> tuple[dict, dict]:
    """A blob's words and arrays, as the browser reads them (for tests)."""
    header, arrays = decode(blob)
    return header["fields"], arrays
