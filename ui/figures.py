"""Figure builders: numpy arrays in, plotly figures or small RGB images out. No streamlit here.

plotly.graph_objects only: plotly.express takes 40-80 ms to build what graph_objects builds in
1-3 ms (RECIPES.md), and every millisecond here is paid on every click.
"""

import numpy as np
import plotly.graph_objects as go

DIVERGING = "RdBu_r"  # negative blue, zero white, positive red
GREYS = [[0.0, "black"], [1.0, "white"]]
FONT = dict(size=12)
DIGITS = [str(digit) for digit in range(10)]


def layout(figure: go.Figure, title: str, height: int, **axes) -> go.Figure:
    """The shared look: a title, compact margins, and the axis titles given as xaxis/yaxis dicts."""
    figure.update_layout(title=dict(text=title, font=dict(size=14)), height=height, font=FONT,
                         margin=dict(l=50, r=20, t=40, b=40), **axes)
    return figure


def symmetric_limit(values: np.ndarray) -> float:
    """The largest |value|, so a diverging scale is centred at 0 (never 0 itself)."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


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


def image_grid(images: np.ndarray, titles, title: str, colorbar_title: str, columns: int = 5,
               diverging: bool = True, height: int = 330, limit: float | None = None) -> go.Figure:
    """Ten 28x28 images (e.g. the columns of W1) as one heatmap with a shared colour bar."""
    limit = limit or symmetric_limit(images)
    tiled = mosaic(images, columns)
    scale = dict(colorscale=DIVERGING, zmid=0, zmin=-limit, zmax=limit) if diverging else dict(
        colorscale=GREYS, zmin=0, zmax=float(np.nanmax(images)) or 1.0)
    figure = go.Figure(go.Heatmap(
        z=tiled, **scale, colorbar=dict(title=dict(text=colorbar_title, side="right"), thickness=12),
        hovertemplate="value %{z:.4f}<extra></extra>", hoverongaps=False))
    size = images.shape[1]
    for index, text in enumerate(titles):
        row, column = divmod(index, columns)
        figure.add_annotation(x=column * (size + 1) + size / 2 - 0.5, y=row * (size + 1) - 1.5,
                              text=text, showarrow=False, yanchor="bottom", font=dict(size=11))
    figure.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    figure.update_xaxes(visible=False)
    return layout(figure, title, height)


def digit_image(image: np.ndarray, title: str, height: int = 260, colorbar_title: str = "pixel") -> go.Figure:
    """One grey 28x28 image with its pixel values on hover."""
    figure = go.Figure(go.Heatmap(z=image, colorscale=GREYS, colorbar=dict(title=colorbar_title, thickness=10),
                                  hovertemplate="row %{y}, column %{x}: %{z}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", scaleanchor="x", title="row")
    figure.update_xaxes(title="column")
    return layout(figure, title, height)


def bars(values, labels, title: str, x_title: str, y_title: str, highlight: int | None = None,
         height: int = 260, y_range=None, text_format: str = ".2f") -> go.Figure:
    """Labelled bars; the highlighted bar (e.g. the prediction) is drawn darker."""
    values = np.asarray(values, dtype=float)
    colours = ["#1f77b4"] * len(values)
    if highlight is not None:
        colours[highlight] = "#d62728"
    figure = go.Figure(go.Bar(x=list(labels), y=values, marker_color=colours,
                              text=[format(value, text_format) for value in values], textposition="outside",
                              cliponaxis=False, hovertemplate="%{x}: %{y:.4f}<extra></extra>"))
    figure.update_xaxes(type="category")
    return layout(figure, title, height, xaxis=dict(title=x_title),
                  yaxis=dict(title=y_title, range=y_range))


def heatmap(matrix: np.ndarray, title: str, x_title: str, y_title: str, x_labels=None, y_labels=None,
            diverging: bool = True, annotate: bool = True, colorbar_title: str = "value",
            height: int = 360, text_format: str = ".2f", colorscale=None) -> go.Figure:
    """A matrix as a heatmap, values written in the cells; diverging scales are centred at 0."""
    limit = symmetric_limit(matrix)
    scale = dict(colorscale=DIVERGING, zmid=0, zmin=-limit, zmax=limit) if diverging else dict(
        colorscale=colorscale or "Blues")
    rows, columns = matrix.shape
    figure = go.Figure(go.Heatmap(
        z=matrix, x=list(x_labels if x_labels is not None else range(columns)),
        y=list(y_labels if y_labels is not None else range(rows)), **scale,
        texttemplate=f"%{{z:{text_format}}}" if annotate else None, textfont=dict(size=10),
        colorbar=dict(title=dict(text=colorbar_title, side="right"), thickness=12),
        hovertemplate=f"{y_title} %{{y}}, {x_title} %{{x}}: %{{z:.4f}}<extra></extra>"))
    figure.update_xaxes(type="category", title=x_title, side="bottom")
    figure.update_yaxes(type="category", title=y_title, autorange="reversed")
    return layout(figure, title, height)


def lines(x, series: dict, title: str, x_title: str, y_title: str, height: int = 260,
          log_y: bool = False, markers: bool = False, y_range=None) -> go.Figure:
    """Several named curves over one x axis."""
    figure = go.Figure()
    for name, values in series.items():
        figure.add_trace(go.Scatter(x=x, y=values, name=name, mode="lines+markers" if markers else "lines",
                                    hovertemplate=f"{name}: %{{y:.4g}} at %{{x}}<extra></extra>"))
    figure.update_layout(legend=dict(orientation="h", y=1.02, x=1, xanchor="right", yanchor="bottom"))
    return layout(figure, title, height, xaxis=dict(title=x_title),
                  yaxis=dict(title=y_title, type="log" if log_y else "linear", range=y_range))


# --- small RGB images (st.image): a few ms to send, far cheaper for the browser than a chart ---

def diverging_rgb(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """Map values to RGB uint8: blue for negative, white at 0, red for positive, ±limit saturated."""
    limit = limit or symmetric_limit(values)
    t = np.clip(np.nan_to_num(values) / limit, -1.0, 1.0)[..., None]
    white, red, blue = np.array([255, 255, 255.0]), np.array([178, 24, 43.0]), np.array([33, 102, 172.0])
    rgb = np.where(t >= 0, white + t * (red - white), white - t * (blue - white))
    return rgb.astype(np.uint8)


def rgb_mosaic(images: np.ndarray, columns: int, scale: int = 3, limit: float | None = None) -> np.ndarray:
    """Tile (k, 28, 28) signed images into one diverging RGB image, enlarged scale times."""
    tiled = mosaic(images, columns, gutter=2)
    rgb = diverging_rgb(tiled, limit)
    rgb[np.isnan(tiled)] = 240
    return np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)


def grey_image(image: np.ndarray, scale: int = 4) -> np.ndarray:
    """A uint8 grey image enlarged by pixel repetition (stays crisp, unlike browser smoothing)."""
    return np.repeat(np.repeat(np.asarray(image, dtype=np.uint8), scale, axis=0), scale, axis=1)


def network_diagram(hidden: int, shown_inputs=("p1", "p2", "p3", "⋮", "p783", "p784")) -> go.Figure:
    """784 inputs (collapsed to a few), the hidden ReLU units and the 10 softmax outputs, wired."""
    def column(count):
        return np.linspace(1, 0, count) if count > 1 else np.array([0.5])
    shown_hidden = min(hidden, 12)
    layers = [(0.0, column(len(shown_inputs)), list(shown_inputs)),
              (1.0, column(shown_hidden), [f"h{k}" for k in range(shown_hidden)]),
              (2.0, column(10), DIGITS)]
    edge_x, edge_y = [], []
    for (x0, ys0, names0), (x1, ys1, _) in zip(layers, layers[1:]):
        for y0, name in zip(ys0, names0):
            if name == "⋮":
                continue
            for y1 in ys1:
                edge_x += [x0, x1, None]
                edge_y += [y0, y1, None]
    figure = go.Figure(go.Scatter(x=edge_x, y=edge_y, mode="lines", line=dict(color="#c5cdd8", width=0.6),
                                  hoverinfo="skip"))
    colours = ["#fdd0a2", "#9ecae1", "#a1d99b"]
    for (x, ys, names), colour in zip(layers, colours):
        dots = [name != "⋮" for name in names]
        figure.add_trace(go.Scatter(
            x=[x] * len(ys), y=ys, mode="markers+text", text=names, textfont=dict(size=11),
            marker=dict(size=[26 if dot else 0 for dot in dots], color=colour, line=dict(color="#555", width=1)),
            hoverinfo="skip"))
    captions = ["input x = p / 255<br>784 pixels", f"hidden A1 = ReLU(Z1)<br>{hidden} units",
                "output A2 = softmax(Z2)<br>10 digits"]
    for x, caption in zip((0, 1, 2), captions):
        figure.add_annotation(x=x, y=1.12, text=caption, showarrow=False, font=dict(size=12))
    for x, caption in ((0.5, "W1 (784×h), b1"), (1.5, "W2 (h×10), b2")):
        figure.add_annotation(x=x, y=-0.1, text=caption, showarrow=False, font=dict(size=12, color="#555"))
    figure.update_xaxes(visible=False, range=[-0.25, 2.25])
    figure.update_yaxes(visible=False, range=[-0.18, 1.22])
    figure.update_layout(showlegend=False, height=420, margin=dict(l=10, r=10, t=10, b=10),
                         plot_bgcolor="white")
    return figure
