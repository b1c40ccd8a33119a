"""Figures of the Compare screen: numpy arrays in, plotly figures or RGB images out. No streamlit here.

Every run keeps one colour (Okabe & Ito's set, ui/figures.RUNS) and one dash on every figure, so the
runs stay apart without colour vision too. The loss plane is drawn in greys, so the only colours on
it are the runs'.
"""

import functools
import textwrap
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw

from locales import N_, PLOTLY_PERCENT, _, number, plotly_separators
from ui.figures import (
    DASHES,
    FONT_COLOUR,
    PlainFigure,
    TrainingCurves,
    axis,
    colour_bar,
    diverging_rgb,
    figure,
    label_font,
)

# Light grey for a low loss, dark grey for a high one: the runs' colours stay the only colours.
PLANE_GREYS = [[0.0, "#f7f7f7"], [0.5, "#bdbdbd"], [1.0, "#525252"]]


class RunCurves(NamedTuple):
    """One run's curves: its own loss, Σ(A2 − y)², accuracy, test accuracy, silent units and ‖θ − θ0‖."""

    label: str
    colour: str
    own_loss_name: str  # "−log A2_y" or "Σ(A2 − y)²"
    own: TrainingCurves  # trailing means of the loss its rule descends
    mse: TrainingCurves  # trailing means of Σ(A2 − y)² and of training accuracy
    epochs: list  # 1, 2, ... for each finished epoch
    test_accuracy: list
    silent_steps: np.ndarray
    silent: np.ndarray
    distance_steps: np.ndarray
    distance: np.ndarray


# (title, x title, y title, y options) of the six panels, two per row; the x axes of the upper rows are
# read from the bottom row's "step" (a title under each would collide with the panel title below it).
# The titles are messages (N_), translated where drawn; "" stays "".
PANELS = (
    (N_("Each run's own loss (the one its rule descends)"), "", N_("mean loss"), dict(rangemode="tozero")),
    (N_("Σ(A2 − y)² of every run: one yardstick"), "", N_("mean Σ(A2 − y)²"), dict(rangemode="tozero")),
    (N_("Training accuracy"), "", N_("accuracy"), dict(range=[0, 1.05], tickformat=".0%", dtick=0.25)),
    (N_("Test accuracy after each epoch (epochs 1, 2, …)"), "", N_("accuracy"), dict(tickformat=".1%")),
    (N_("Silent hidden units"), N_("step"), N_("units"), dict(rangemode="tozero")),
    (N_("Distance from the start ‖θ − θ0‖"), N_("step"), N_("distance"), dict(rangemode="tozero")),
)
COLUMNS = ((0.0, 0.44), (0.56, 1.0))
ROWS = ((0.75, 1.0), (0.40, 0.64), (0.04, 0.29))
TITLE_GAP = 0.025
# On a phone the panels are stacked, one a row, their titles wrapped: a column of ~360 px holds about
# 40 characters of a 13-px title, and a panel beside another would be 150 px wide.
STACKED_TITLE_CHARACTERS = 40
STACKED_SLOT, STACKED_TITLE, STACKED_PLOT = 225, 42, 145  # px: a panel's share, its title's, its plot's


def _wrapped(title: str) -> str:
    return "<br>".join(textwrap.wrap(title, STACKED_TITLE_CHARACTERS))


def _hover(label: str, text: str) -> str:
    """A hover text naming the run first: "label: text", without plotly's trace name box."""
    return f"{label}: {text}<extra></extra>"


def _shown(message: str) -> str:
    """A constant's message in the language of the moment; an empty title stays empty."""
    return _(message) if message else ""


def comparison_curves(runs: list[RunCurves], hidden: int, height: int = 760, stacked: bool = False) -> PlainFigure:
    """Six panels, the runs overlaid in their colours and dashes: own loss, Σ(A2 − y)², accuracies, silent, ‖θ − θ0‖.

    Two a row on a laptop; stacked, one a row with wrapped titles, on a phone (`stacked`).
    """
    traces = []
    over_the_steps = _("{what} over the steps to {step}")
    for count, run in enumerate(runs):
        style = dict(color=run.colour, dash=DASHES[count % len(DASHES)], width=2)
        common = dict(type="scatter", mode="lines", name=run.label, legendgroup=run.label, line=style)
        series = (
            (run.own.steps, run.own.loss, f"{run.own_loss_name} %{{y:.4f}}"),
            (run.mse.steps, run.mse.loss, "Σ(A2 − y)² %{y:.4f}"),
            (run.mse.steps, run.mse.accuracy, _("{accuracy} right").format(accuracy=PLOTLY_PERCENT)),
        )
        for panel, (x, y, what) in enumerate(series, start=1):
            traces.append(dict(common, x=x, y=y, xaxis=_axis_id("x", panel), yaxis=_axis_id("y", panel),
                               showlegend=panel == 1,
                               hovertemplate=_hover(run.label, over_the_steps.format(what=what, step="%{x:,}"))))
        traces.append(dict(common, x=run.epochs, y=run.test_accuracy, xaxis="x4", yaxis="y4", showlegend=False,
                           mode="lines+markers", marker=dict(color=run.colour, size=8, symbol=count),
                           hovertemplate=_hover(run.label, _("test accuracy {accuracy} after epoch {epoch}").format(
                               accuracy=PLOTLY_PERCENT, epoch="%{x}"))))
        traces.append(dict(common, x=run.silent_steps, y=run.silent, xaxis="x5", yaxis="y5", showlegend=False,
                           line=dict(style, shape="hv"),
                           hovertemplate=_hover(run.label, _("{units} silent at step {step}").format(
                               units="%{y}", step="%{x:,}"))))
        traces.append(dict(common, x=run.distance_steps, y=run.distance, xaxis="x6", yaxis="y6", showlegend=False,
                           hovertemplate=_hover(run.label, _("‖θ − θ0‖ = {distance} at step {step}").format(
                               distance="%{y:.3g}", step="%{x:,}"))))
    plots = STACKED_SLOT * len(PANELS) if stacked else height - 70 - 45
    if stacked:
        height = plots + 70 + 45
    layout = dict(height=height, font=dict(size=12, color=FONT_COLOUR), template={},
                  separators=plotly_separators(), margin=dict(l=55, r=20, t=70, b=45),
                  legend=dict(orientation="h", x=0, y=1 + 5 / plots if stacked else 1.13, yanchor="bottom",
                              font=dict(size=13)))
    notes = []
    last_epoch = max((len(run.epochs) for run in runs), default=0)
    for panel, (title, x_title, y_title, y_options) in enumerate(PANELS, start=1):
        if stacked:
            top = 1 - (panel - 1) * STACKED_SLOT / plots - STACKED_TITLE / plots
            (x0, x1), (y0, y1) = (0.0, 1.0), (top - STACKED_PLOT / plots, top)
            x_title = x_title if panel == len(PANELS) else ""
        else:
            (x0, x1), (y0, y1) = COLUMNS[(panel - 1) % 2], ROWS[(panel - 1) // 2]
        x_options = dict(dtick=1, range=[0.5, last_epoch + 0.5]) if panel == 4 and last_epoch else {}
        if panel == 5:
            y_options = dict(y_options, range=[0, hidden + 0.5], dtick=max(1, hidden // 5))
        if panel == 4 and not last_epoch:  # no point yet: plotly's empty range read 0% / 200% / 400%
            y_options = dict(y_options, range=[0, 1], tickformat=".0%", dtick=0.25)
        layout[_axis_key("x", panel)] = axis(_shown(x_title), domain=[x0, x1], anchor=_axis_id("y", panel),
                                             **x_options)
        layout[_axis_key("y", panel)] = axis(_shown(y_title), domain=[y0, y1], anchor=_axis_id("x", panel),
                                             **y_options)
        shown_title = _wrapped(_(title)) if stacked else _(title)
        notes.append(dict(x=x0, y=y1 + (6 / plots if stacked else TITLE_GAP), xref="paper", yref="paper",
                          xanchor="left", yanchor="bottom", align="left", text=f"<b>{shown_title}</b>",
                          showarrow=False, font=dict(size=13)))
    if not last_epoch:
        (x0, x1), (y0, y1) = COLUMNS[1], ROWS[1]
        if stacked:
            y1 = 1 - 3 * STACKED_SLOT / plots - STACKED_TITLE / plots
            (x0, x1), y0 = (0.0, 1.0), y1 - STACKED_PLOT / plots
        notes.append(dict(x=(x0 + x1) / 2, y=(y0 + y1) / 2, xref="paper", yref="paper", showarrow=False,
                          text=_("measured on the 10,000 test images<br>at the end of each epoch")))
    layout["annotations"] = notes
    return PlainFigure(traces, layout)


def _axis_id(letter: str, panel: int) -> str:
    """A trace's axis reference: "x" for the first panel, then "x2", "x3", ... (plotly's names)."""
    return letter if panel == 1 else f"{letter}{panel}"


def _axis_key(letter: str, panel: int) -> str:
    """The layout key of that axis: "xaxis", "xaxis2", ..."""
    return f"{letter}axis" if panel == 1 else f"{letter}axis{panel}"


# --- W1 of every run, one colour scale --------------------------------------------------------------

FRAME = np.array([110, 110, 110], dtype=np.uint8)  # a silent unit's frame: dark enough to see on white and on blue
NUMBERS_HEIGHT = 18


def weight_rows(W1s, silent_masks, limit: float, scale: int = 3, columns: int = 10) -> list[np.ndarray]:
    """Each run's W1 as a row of 28×28 templates, unit k under unit k, all on one diverging scale ±limit.

    The first row carries the unit numbers above it; a silent unit's tile is framed in grey. The runs'
    names are left to the screen's text: this font has no α.
    """
    hidden = W1s[0].shape[1]
    size, gutter = 28 * scale, 2 * scale
    rows = -(-hidden // columns)
    width = columns * (size + gutter) - gutter
    images = []
    for W1, silent in zip(W1s, silent_masks):
        tiles = np.repeat(np.repeat(diverging_rgb(W1.T.reshape(-1, 28, 28), limit), scale, axis=1), scale, axis=2)
        block = np.full((rows * (size + gutter) - gutter, width, 3), 255, np.uint8)
        for unit, tile in enumerate(tiles):
            row, column = divmod(unit, columns)
            top, left = row * (size + gutter), column * (size + gutter)
            block[top:top + size, left:left + size] = tile
            if silent[unit]:
                _frame(block, top, left, size)
        images.append(block)
    images[0] = np.concatenate([_unit_numbers(min(hidden, columns), size, gutter, width), images[0]])
    return images


def _frame(block, top, left, size, thickness=3) -> None:
    """A grey frame drawn inside the tile at (top, left): the unit is silent."""
    tile = block[top:top + size, left:left + size]
    tile[:thickness], tile[-thickness:], tile[:, :thickness], tile[:, -thickness:] = (FRAME,) * 4


def _unit_numbers(count, size, gutter, width) -> np.ndarray:
    image = Image.new("RGB", (width, NUMBERS_HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    for unit in range(count):
        text = _("unit {number}").format(number=unit + 1)
        font = label_font(text, 13)  # one with Greek letters where the text has them
        left = unit * (size + gutter) + (size - draw.textlength(text, font=font)) / 2
        draw.text((left, 2), text, fill=FONT_COLOUR, font=font)
    return np.asarray(image)


# --- one plane for all ----------------------------------------------------------------------------


def _path_text(path, label) -> list[str]:
    text = _("{label}, step {step}: {distance} off the plane; true loss {true}, surface {surface}")
    return [text.format(label=label, step=number(step), distance=number(distance, ".3g"), true=number(true, ".4f"),
                        surface=number(shown, ".4f"))
            for step, distance, true, shown in zip(path.steps, path.distance, path.loss, path.surface_loss)]


def _grid_hover() -> str:
    return _("a {a}, b {b}: loss {loss}").format(a="%{x:.3g}", b="%{y:.3g}", loss="%{z:.4f}") + "<extra></extra>"


def shared_contour(result, labels, colours, z_title: str, centre_name: str, height: int = 500) -> PlainFigure:
    """The plane's loss as grey contours; every run's projected path in its colour, its start ○ and end ◆.

    The greys stop at colour_cap(result): far from the paths the loss climbs so high that one scale
    for all of it would leave the paths' neighbourhood a single shade.
    """
    low, cap = float(np.min(result.losses)), colour_cap(result)
    traces = [dict(type="contour", x=result.alphas, y=result.betas, z=result.losses, colorscale=PLANE_GREYS,
                   zauto=False, zmin=low, zmax=cap, contours=dict(start=low, end=cap, size=(cap - low) / 20),
                   colorbar=colour_bar(z_title), line=dict(width=0.5, color="#8a8a8a"), hovertemplate=_grid_hover())]
    for count, (path, label, colour) in enumerate(zip(result.paths, labels, colours)):
        text = _path_text(path, label)
        traces.append(dict(type="scatter", x=path.a, y=path.b, mode="lines+markers", name=label, legendgroup=label,
                           line=dict(color=colour, width=3, dash=DASHES[count % len(DASHES)]),
                           marker=dict(size=5, color=colour), text=text, hovertemplate="%{text}<extra></extra>"))
        traces.append(dict(type="scatter", x=path.a[-1:], y=path.b[-1:], mode="markers", legendgroup=label,
                           showlegend=False, text=text[-1:], hovertemplate="%{text}<extra></extra>",
                           marker=dict(size=13, color=colour, symbol="diamond", line=dict(color="black", width=1.5))))
    traces.append(dict(type="scatter", x=[0], y=[0], mode="markers",
                       name=_("centre: {centre}").format(centre=centre_name),
                       marker=dict(size=15, color="white", symbol="star", line=dict(color="black", width=1.5)),
                       hovertemplate=_("centre ({centre}): loss {loss}").format(
                           centre=centre_name, loss=number(result.centre_loss, ".4f")) + "<extra></extra>"))
    return PlainFigure(traces, dict(
        height=height, font=dict(size=12, color=FONT_COLOUR), template={}, margin=dict(l=55, r=20, t=10, b=45),
        separators=plotly_separators(), legend=dict(orientation="h", x=0, y=-0.14, yanchor="top"),
        # One scale for a and b, the plot shrunk to fit rather than padded beyond the grid.
        xaxis=axis(_("a (along d1)"), constrain="domain"),
        yaxis=axis(_("b (along d2)"), scaleanchor="x", constrain="domain")))


def colour_cap(result) -> float:
    """Where the contours' greys stop: 1.5 × the highest loss the surface shows under a path or at the centre."""
    shown = np.concatenate([path.surface_loss for path in result.paths] + [[result.centre_loss]])
    lowest = float(np.min(result.losses))
    return max(float(min(np.max(result.losses), 1.5 * np.max(shown))), lowest + 1e-6)


def shared_surface_3d(result, labels, colours, z_title: str, height: int = 520):
    """The same plane as a grey 3-D surface, each path drawn just above it at the surface's value under it."""
    lift = 0.02 * float(np.ptp(result.losses))  # so the surface does not swallow a path where they touch
    traces = [dict(type="surface", x=result.alphas, y=result.betas, z=result.losses, colorscale=PLANE_GREYS,
                   colorbar=colour_bar(z_title), opacity=0.95, hovertemplate=_grid_hover())]
    for path, label, colour in zip(result.paths, labels, colours):
        traces.append(dict(type="scatter3d", x=path.a, y=path.b, z=path.surface_loss + lift, mode="lines+markers",
                           name=label, line=dict(color=colour, width=7),
                           marker=dict(size=3, color=colour), text=_path_text(path, label),
                           hovertemplate="%{text}<extra></extra>"))
    scene = dict(xaxis=axis(_("a (along d1)")), yaxis=axis(_("b (along d2)")), zaxis=axis(z_title),
                 camera=dict(eye=dict(x=1.5, y=-1.5, z=1.0)))
    return figure(traces, "", height, scene=scene, margin=dict(l=0, r=0, t=10, b=0),
                  legend=dict(orientation="h", x=0, y=0), separators=plotly_separators())


def path_honesty(result, labels, colours, z_title: str, height: int = 330, stacked: bool = False) -> PlainFigure:
    """Two panels: each path's true loss (solid) and the surface's value under it (dotted); its distance off the plane.

    Side by side on a laptop; on a phone (`stacked`) one above the other, their titles wrapped.
    """
    traces = []
    true_loss = _("true loss {loss} at step {step}").format(loss="%{y:.4f}", step="%{x:,}")
    surface = _("the surface shows {loss} under step {step}").format(loss="%{y:.4f}", step="%{x:,}")
    off = _("{distance} off the plane at step {step}").format(distance="%{y:.3g}", step="%{x:,}")
    for count, (path, label, colour) in enumerate(zip(result.paths, labels, colours)):
        traces += [
            dict(type="scatter", x=path.steps, y=path.loss, mode="lines+markers", name=label, legendgroup=label,
                 line=dict(color=colour, width=2), marker=dict(size=5, symbol=count),
                 hovertemplate=_hover(label, true_loss)),
            dict(type="scatter", x=path.steps, y=path.surface_loss, mode="lines", legendgroup=label, showlegend=False,
                 line=dict(color=colour, width=2, dash="dot"), hovertemplate=_hover(label, surface)),
            dict(type="scatter", x=path.steps, y=path.distance, mode="lines+markers", legendgroup=label,
                 showlegend=False, xaxis="x2", yaxis="y2", line=dict(color=colour, width=2, dash=DASHES[count % 4]),
                 marker=dict(size=5, symbol=count), hovertemplate=_hover(label, off)),
        ]
    titles = (_("True loss ━ and the surface's value under it ┈"), _("Distance off the plane"))
    step = _("step")
    if stacked:
        # Each plot 190 px under its wrapped title, 80 px between them (the upper one's ticks, the lower one's
        # title; "step" is written under the lower one only), the legend below.
        plots = 190 + 80 + 190
        height = plots + 60 + 90
        tops = (1.0, 1 - 270 / plots)
        domains = [dict(x=[0.0, 1.0], y=[top - 190 / plots, top]) for top in tops]
        places = [(0.0, top + 6 / plots, _wrapped(title)) for top, title in zip(tops, titles)]
        margin, legend_y = dict(l=55, r=20, t=60, b=90), -60 / plots
    else:
        domains = [dict(x=[0.0, 0.44], y=[0.0, 1.0]), dict(x=[0.56, 1.0], y=[0.0, 1.0])]
        places = [(0.0, 1.04, titles[0]), (0.56, 1.04, titles[1])]
        margin, legend_y = dict(l=55, r=20, t=40, b=45), -0.2
    notes = [dict(x=x, y=y, xref="paper", yref="paper", xanchor="left", yanchor="bottom", showarrow=False,
                  align="left", text=f"<b>{text}</b>", font=dict(size=13)) for x, y, text in places]
    return PlainFigure(traces, dict(
        height=height, font=dict(size=12, color=FONT_COLOUR), template={}, margin=margin,
        separators=plotly_separators(), legend=dict(orientation="h", x=0, y=legend_y, yanchor="top"),
        annotations=notes,
        xaxis=axis("" if stacked else step, domain=domains[0]["x"]), yaxis=axis(z_title, domain=domains[0]["y"], rangemode="tozero"),
        xaxis2=axis(step, domain=domains[1]["x"], anchor="y2"),
        yaxis2=axis("‖θᵢ − θ(a, b)‖", domain=domains[1]["y"], anchor="x2", rangemode="tozero")))
