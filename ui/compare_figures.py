"""Figures of the Compare screen's shared plane: numpy arrays in, plotly figures out. No streamlit here.

Every run keeps one colour (Okabe & Ito's set, ui/figures.RUNS) and one dash on every figure, so the
runs stay apart without colour vision too. The loss plane is drawn in greys, so the only colours on
it are the runs'. (Every run's W1 is drawn in the browser, by ui/compare_panel.py's component.)
"""

import textwrap

import numpy as np

from locales import _, number, plotly_separators
from ui.figures import (
    DASHES,
    FONT_COLOUR,
    PlainFigure,
    axis,
    colour_bar,
    figure,
)

# Light grey for a low loss, dark grey for a high one: the runs' colours stay the only colours.
PLANE_GREYS = [[0.0, "#f7f7f7"], [0.5, "#bdbdbd"], [1.0, "#525252"]]


# On a phone the path panels are stacked, their titles wrapped: a column of ~360 px holds about
# 40 characters of a 13-px title.
STACKED_TITLE_CHARACTERS = 40


def _wrapped(title: str) -> str:
    return "<br>".join(textwrap.wrap(title, STACKED_TITLE_CHARACTERS))


def _hover(label: str, text: str) -> str:
    """A hover text naming the run first: "label: text", without plotly's trace name box."""
    return f"{label}: {text}<extra></extra>"


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
