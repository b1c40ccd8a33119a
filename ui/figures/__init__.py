"""Figure builders, one module by what it draws: numpy arrays in, plotly figures or small images out.

style.py: the palette, scales, axes, the figure wrapper; charts.py: plotly charts; images.py: small RGB and
SVG pictures; curves.py: training curves; errata.py: the Errata screen's figures. The screens call them as
`figures.NAME`: this face hands every name on.
"""

from ui.figures.style import (  # noqa: F401
    ACCURACY, axis, BLUE, colour_bar, DASHES, DIGITS, DIVERGING, EMPHASIS, EPOCH_LINE, figure, fill,
    fitted_title, FONT_COLOUR, GREEN, LOSS, NEGATIVE, on_a_phone, PHONE_COLUMNS, PHONE_TITLE_CHARACTERS,
    PlainFigure, POSITIVE, PREDICTED, readable_axes, RED, RULE_COLOURS, RULE_STYLES, RUNS, SILENT, symmetric_limit,
    TRAJECTORY, TRAJECTORY_EDGE, TRUE_LABEL, unit_labels, unit_tile_labels, VALUE, VIEWED,
)
from ui.figures.charts import (  # noqa: F401
    mosaic, MUTED, value_text,
)
from ui.figures.images import (  # noqa: F401
    colour_legend, diverging_rgb, grey_image, GREYED, label_font, LABEL_HEIGHT, MARK, marked_stage, network_diagram,
    PADDING, png, rgb_mosaic, signed_tile, unit_mosaic, weight_template_image, WIDE_FONTS, with_colour_strip,
)
from ui.figures.curves import (  # noqa: F401
    CURVE_POINTS, MIN_WINDOW, trailing_means,
    training_curves, TrainingCurves, window_text,
)
from ui.figures.errata import RULE_FORMULAS, rule_legend
