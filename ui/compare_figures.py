"""The Compare screen's shared plane as blobs for the Loss surface component (ui/surface_panel.py). No streamlit here.

static/surface_runs.js draws the plane from above and in 3-D with every run's path, and
static/surface_lines.js the paths' honesty: the browser never loads plotly for Compare (issue 24).
Every run keeps one colour (Okabe & Ito's set, ui/figures.RUNS) and one dash on every figure, so the
runs stay apart without colour vision too. The loss plane is drawn in greys, so the only colours on
it are the runs'. Words and numbers are made here, in the session's language.
"""

import numpy as np

from locales import _, number, number_separators
from ui.figures import DASHES
from ui.step_payload import encode
from ui.surface_panel import lines_blob

# Light grey for a low loss, dark grey for a high one: the runs' colours stay the only colours.
PLANE_GREYS = [[0.0, "#f7f7f7"], [0.5, "#bdbdbd"], [1.0, "#525252"]]
MARKERS = ["circle", "square", "diamond", "cross"]  # each run's marker on the path charts, by its place


def _grey_stops() -> list:
    """PLANE_GREYS as the browser reads a scale: [place, [r, g, b]] each."""
    return [[place, [int(colour[k:k + 2], 16) for k in (1, 3, 5)]] for place, colour in PLANE_GREYS]


def colour_cap(result) -> float:
    """Where the contours' greys stop: 1.5 × the highest loss the surface shows under a path or at the centre."""
    shown = np.concatenate([path.surface_loss for path in result.paths] + [[result.centre_loss]])
    lowest = float(np.min(result.losses))
    return max(float(min(np.max(result.losses), 1.5 * np.max(shown))), lowest + 1e-6)


def path_texts(path, label) -> list[str]:
    """Each snapshot's hover text, naming the run first."""
    text = _("{label}, step {step}: {distance} off the plane; true loss {true}, surface {surface}")
    return [text.format(label=label, step=number(step), distance=number(distance, ".3g"), true=number(true, ".4f"),
                        surface=number(shown, ".4f"))
            for step, distance, true, shown in zip(path.steps, path.distance, path.loss, path.surface_loss)]


def plane_alt(result, labels, z_title: str, centre_name: str) -> str:
    """What a screen reader hears of the plane: its frame, the loss's range, the centre and where each path ends."""
    ends = "; ".join(_("{label} ends at a {a}, b {b}").format(label=label, a=number(path.a[-1], ".3g"),
                                                               b=number(path.b[-1], ".3g"))
                     for path, label in zip(result.paths, labels))
    return _("{z_title} on one plane through weight space, c + a·d1 + b·d2, a from {a_low} to {a_high}, b from {b_low} "
             "to {b_high}: from {low} to {high}; at the centre c = {centre} (0, 0) {loss}. {ends}.").format(
        z_title=z_title[:1].upper() + z_title[1:], a_low=number(result.alphas[0], ".3g"),
        a_high=number(result.alphas[-1], ".3g"), b_low=number(result.betas[0], ".3g"),
        b_high=number(result.betas[-1], ".3g"), low=number(float(np.min(result.losses)), ".4f"),
        high=number(float(np.max(result.losses)), ".4f"), centre=centre_name, loss=number(result.centre_loss, ".4f"),
        ends=ends)


def plane_blob(result, labels, colours, z_title: str, centre_name: str, view: str) -> bytes:
    """The plane from above ("runs_map": greys up to colour_cap, ☆ at the centre) or in 3-D ("runs_3d"), every path on it."""
    text = {"a_title": _("a (along d1)"), "b_title": _("b (along d2)"), "z_title": z_title, "colour_title": z_title,
            "hover": _("a {a}, b {b}: loss {loss}"), "title": ""}
    fields = {"view": view, "text": text, "separators": number_separators(), "scale": _grey_stops(),
              "alt": plane_alt(result, labels, z_title, centre_name),
              "runs": [{"name": label, "colour": colour, "dash": DASHES[count % len(DASHES)],
                        "texts": path_texts(path, label)}
                       for count, (path, label, colour) in enumerate(zip(result.paths, labels, colours))]}
    if view == "runs_map":
        text.update(keys=_("Hover or move with the arrow keys to read the loss at a point of the grid; Page Up and "
                           "Page Down go from snapshot to snapshot of the paths."),
                    centre=_("centre: {centre}").format(centre=centre_name),
                    centre_hover=_("centre ({centre}): loss {loss}").format(centre=centre_name,
                                                                           loss=number(result.centre_loss, ".4f")))
        fields["cap"] = colour_cap(result)
    else:
        text["keys"] = _("Drag, or focus and press the arrow keys, to turn the surface; hover to read the loss.")
    blocks = {"alphas": np.asarray(result.alphas, dtype=np.float64), "betas": np.asarray(result.betas, dtype=np.float64),
              "losses": np.ascontiguousarray(result.losses, dtype=np.float32)}
    for count, path in enumerate(result.paths):
        blocks.update({f"a{count}": np.asarray(path.a, dtype=np.float64), f"b{count}": np.asarray(path.b, dtype=np.float64),
                       f"surface{count}": np.asarray(path.surface_loss, dtype=np.float64)})
    return encode({"serial": 1, "base": None, "fields": fields, "removed": []}, blocks)


def _on_steps(steps, path_steps, values) -> np.ndarray:
    """A path's values at every step of `steps` (NaN where the path has no snapshot)."""
    placed = np.full(len(steps), np.nan)
    placed[np.searchsorted(steps, path_steps)] = values
    return placed


def honesty_blobs(result, labels, colours, z_title: str) -> tuple[bytes, bytes]:
    """Two line charts: each path's true loss (solid) and the surface's value under it (dotted); its distance off the plane."""
    steps = np.unique(np.concatenate([path.steps for path in result.paths]))
    true_loss = _("true loss {loss} at step {step}")
    surface = _("the surface shows {loss} under step {step}")
    off = _("{distance} off the plane at step {step}")

    def texts(path, label, template, values, spec, field):
        said = {int(step): f"{label}: " + template.format(**{field: number(value, spec)}, step=number(int(step)))
                for step, value in zip(path.steps, values)}
        return [said.get(int(step), "") for step in steps]

    losses, distances = [], []
    for count, (path, label, colour) in enumerate(zip(result.paths, labels, colours)):
        run = {"name": label, "colour": colour, "marker": MARKERS[count % len(MARKERS)]}
        losses += [{**run, "values": _on_steps(steps, path.steps, path.loss), "dash": "solid", "markers": True,
                    "texts": texts(path, label, true_loss, path.loss, ".4f", "loss")},
                   {**run, "values": _on_steps(steps, path.steps, path.surface_loss), "dash": "dot", "legend": False,
                    "texts": texts(path, label, surface, path.surface_loss, ".4f", "loss")}]
        distances.append({**run, "values": _on_steps(steps, path.steps, path.distance), "markers": True,
                          "dash": DASHES[count % len(DASHES)],
                          "texts": texts(path, label, off, path.distance, ".3g", "distance")})
    step = _("step")
    return (lines_blob(steps, losses, _("True loss ━ and the surface's value under it ┈"), step, z_title, from_zero=True,
                       alt=_("Each run's true loss at its saved snapshots, and the loss the surface shows under them.")),
            lines_blob(steps, distances, _("Distance off the plane"), step, "‖θᵢ − θ(a, b)‖", from_zero=True,
                       alt=_("Each run's distance off the plane at its saved snapshots.")))
