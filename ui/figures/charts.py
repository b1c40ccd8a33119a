"""Plotly charts from numpy arrays: bars, lines, the loss surface.

The other screens draw theirs with the chart kit instead (ui/chart_kit.py), in the browser."""

import numpy as np
import plotly.graph_objects as go

from locales import _, number
from ui.figures.style import (
    axis, colour_bar, DASHES, EMPHASIS, figure, fill, GREEN, PREDICTED, RUNS, SILENT, TRAJECTORY,
    TRAJECTORY_EDGE, TRUE_LABEL, VALUE,
)


def mosaic(images: np.ndarray, columns: int, gutter: int = 1) -> np.ndarray:
    """Tile (k, h, w) images into one array, NaN gutters between them (drawn blank)."""
    count, height, width = images.shape
    rows = -(-count // columns)
    tiled = np.full((rows * (height + gutter) - gutter, columns * (width + gutter) - gutter), np.nan)
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        top, left = row * (height + gutter), column * (width + gutter)
        tiled[top:top + height, left:left + width] = image
    return tiled


def value_text(value: float, text_format: str) -> str:
    """A value as written on a bar, in the language's signs, without the "-0.00" that rounding a tiny negative gives."""
    text = number(value, text_format)
    return text[1:] if text.startswith("-") and not any(digit in text for digit in "123456789") else text


def bars(values, labels, title: str, x_title: str, y_title: str, highlight: int | None = None,
         height: int = 260, y_range=None, text_format: str = ".2f", *, true_label: int | None = None,
         emphasis: int | None = None, silent=None, hover_name: str = "") -> go.Figure:
    """Labelled bars with their values written on them, each role in its palette colour.

    highlight: the predicted digit (PREDICTED); emphasis: a bar the title points at (EMPHASIS);
    true_label: outlined in black with "label" above it; silent: a mask of bars drawn grey and hatched.
    """
    values = np.asarray(values, dtype=float)
    silent = np.zeros(len(values), dtype=bool) if silent is None else np.asarray(silent, dtype=bool)
    colours = [PREDICTED if index == highlight else EMPHASIS if index == emphasis else SILENT if silent[index]
               else VALUE for index in range(len(values))]
    marker = dict(color=colours, pattern=dict(shape=["x" if off else "" for off in silent], fgcolor="#555555",
                                              size=5, solidity=0.3, fillmode="overlay"))
    notes = []
    if true_label is not None:
        marker["line"] = dict(color=TRUE_LABEL, width=[3 if index == true_label else 0 for index in range(len(values))])
        value = values[true_label]
        notes = [dict(x=list(labels)[true_label], y=value, yref="y", text="<b>" + _("label") + "</b>", showarrow=False,
                      yanchor="bottom" if value >= 0 else "top", yshift=18 if value >= 0 else -18,
                      font=dict(size=12, color=TRUE_LABEL))]
    trace = dict(type="bar", x=list(labels), y=values, marker=marker,
                 text=[value_text(value, text_format) for value in values], textposition="outside",
                 cliponaxis=False, hovertemplate=f"{hover_name}%{{x}}: %{{y:.4f}}<extra></extra>")
    return figure([trace], title, height, xaxis=axis(x_title, type="category"),
                  yaxis=axis(y_title, range=y_range), annotations=notes)


def lines(x, series: dict, title: str, x_title: str, y_title: str, height: int = 260,
          log_y: bool = False, markers: bool = False, y_range=None, secondary: dict | None = None,
          secondary_title: str = "", secondary_format: str = "", steps: bool = False,
          x_integers: bool = False) -> go.Figure:
    """Named curves over one x axis; `secondary` curves use a second y axis on the right."""
    mode = "lines+markers" if markers else "lines"
    # Each curve its own palette colour and dash, so they stay apart without colour vision too.
    at = _("{name}: {value} at %{x}")
    traces = [dict(type="scatter", x=x, y=values, name=name, mode=mode,
                   line=dict(shape="hv" if steps else "linear", color=RUNS[i % len(RUNS)], dash=DASHES[i % len(DASHES)]),
                   hovertemplate=fill(at, name=name, value="%{y:.4g}") + "<extra></extra>")
              for i, (name, values) in enumerate(series.items())]
    x_axis = axis(x_title, dtick=1, range=[0.5, max(x) + 0.5], automargin=True) if x_integers and len(x) \
        else axis(x_title, automargin=True)
    # The legend at the foot of the figure keeps rows of its own (two or three on a phone, longer names in
    # Greek), so it never covers the axis title.
    layout = dict(legend=dict(orientation="h", yref="container", y=0, x=0, yanchor="bottom"),
                  margin=dict(l=50, r=20, t=40, b=10),
                  xaxis=x_axis, yaxis=axis(y_title, type="log" if log_y else "linear", range=y_range))
    if secondary:
        traces += [dict(type="scatter", x=x, y=values, name=name, mode=mode, yaxis="y2", line=dict(color=GREEN),
                        hovertemplate=fill(at, name=name, value=f"%{{y:{secondary_format or '.4g'}}}")
                        + "<extra></extra>")
                   for name, values in secondary.items()]
        layout["yaxis2"] = axis(secondary_title, overlaying="y", side="right", range=[0, 1], dtick=0.25,
                                tickformat=secondary_format, showgrid=False)
    return figure(traces, title, height, **layout)


def loss_surface_3d(result, z_title: str) -> go.Figure:
    """The loss over the plane as a 3-D surface, the trajectory's shadow on it and the current point."""
    on_plane, trajectory, current = _("a %{x:.2f}, b %{y:.2f}: loss %{z:.4f}"), _("trajectory (projected)"), _("current θ")
    point = _("step {step}: surface loss {loss}")
    traces = [dict(type="surface", x=result.alphas, y=result.betas, z=result.losses, colorscale="Viridis",
                   colorbar=colour_bar(_("loss")), opacity=0.92, hovertemplate=on_plane + "<extra></extra>"),
              # Lifted by 2% of the loss range, so the surface does not swallow the path where they touch.
              dict(type="scatter3d", x=result.trajectory_a, y=result.trajectory_b,
                   z=result.trajectory_surface_loss + 0.02 * float(np.ptp(result.losses)),
                   mode="lines+markers", name=trajectory, line=dict(color=TRAJECTORY, width=9),
                   marker=dict(size=5, color=TRAJECTORY, line=dict(color=TRAJECTORY_EDGE, width=1.5)),
                   text=[point.format(step=number(step), loss=number(value, ".4f")) for step, value in
                         zip(result.trajectory_steps, result.trajectory_surface_loss)],
                   hovertemplate="%{text}<extra></extra>"),
              dict(type="scatter3d", x=[0], y=[0], z=[result.current_loss], mode="markers", name=current,
                   marker=dict(size=6, color="white", line=dict(color="black", width=2)))]
    scene = dict(xaxis=axis(_("a (along d1)")), yaxis=axis(_("b (along d2)")), zaxis=axis(z_title),
                 camera=dict(eye=dict(x=1.9, y=-1.9, z=1.25)),  # far enough for the axis titles to stay in view
                 # A square floor whatever the ranges: the principal directions' a and b span very different
                 # lengths, and plotly's "auto" then draws the data's proportions, a thin vertical stack.
                 aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.75))
    return figure(traces, _("Loss over the plane θ + a·d1 + b·d2"), 480, scene=scene, showlegend=False,
                  margin=dict(l=0, r=0, t=40, b=0))


def loss_contour(result, z_title: str) -> go.Figure:
    """The same grid as contours seen from above, with the projected trajectory and the current point."""
    trajectory, current, point = _("trajectory (projected)"), _("current θ"), _("step {step}, {distance} off the plane")
    traces = [dict(type="contour", x=result.alphas, y=result.betas, z=result.losses, colorscale="Viridis",
                   colorbar=colour_bar(z_title), ncontours=25,
                   hovertemplate=_("a %{x:.2f}, b %{y:.2f}: loss %{z:.4f}") + "<extra></extra>"),
              # a black line under the white one: an edge that shows on viridis' yellow as well as its purple
              dict(type="scatter", x=result.trajectory_a, y=result.trajectory_b, mode="lines", showlegend=False,
                   line=dict(color=TRAJECTORY_EDGE, width=5), hoverinfo="skip"),
              dict(type="scatter", x=result.trajectory_a, y=result.trajectory_b, mode="lines+markers",
                   name=trajectory, line=dict(color=TRAJECTORY, width=2.5),
                   marker=dict(size=7, color=TRAJECTORY, line=dict(color=TRAJECTORY_EDGE, width=1.5)),
                   text=[point.format(step=number(step), distance=number(distance, ".3g")) for step, distance in
                         zip(result.trajectory_steps, result.trajectory_distance)],
                   hovertemplate="%{text}<extra></extra>"),
              dict(type="scatter", x=[0], y=[0], mode="markers", name=current,
                   marker=dict(size=16, color="white", symbol="star", line=dict(color="black", width=1.5)))]
    title = _("Contours: the path projected<br>(white dots), θ (star)")
    return figure(traces, title, 480,
                  xaxis=axis(_("a (along d1)"), automargin=True), yaxis=axis(_("b (along d2)"), scaleanchor="x"),
                  # at the foot of the figure, in rows of its own: never over the axis title
                  legend=dict(orientation="h", yref="container", y=0, yanchor="bottom"),
                  margin=dict(l=50, r=20, t=40 + 18 * title.count("<br>"), b=10))


MUTED = "#9e9e9e"  # a silent unit's bar on Draw (chart_kit.bars' muted): grey, and its label says "silent" too
