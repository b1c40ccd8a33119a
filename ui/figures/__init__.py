"""What the figures share, one module by what it is: numpy arrays in, colours, words or small images out.

style.py: the palette, scales, unit labels; charts.py: what the chart kit shares; images.py: small RGB and
SVG pictures; curves.py: training curves; errata.py: the Errata screen's figures. The screens call them as
`figures.NAME`: this face hands every name on.
"""

from ui.figures.style import (  # noqa: F401
    ACCURACY, BLUE, DASHES, DIGITS, DIVERGING, EMPHASIS, EPOCH_LINE, fill, FONT_COLOUR, GREEN, LOSS, NEGATIVE,
    POSITIVE, PREDICTED, RED, RULE_COLOURS, RULE_STYLES, RUNS, SILENT, symmetric_limit,
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
