"""Data: what the network sees. MNIST samples by class and index, class counts, pixel values."""

import numpy as np
import pandas as pd
import streamlit as st

from locales import N_, _, number
from ui import chart_kit, figures, session, shell, widgets

SPLITS = {"training": N_("training"), "test": N_("test")}
IMAGE_TITLE = {"training": N_("training image #{index}: label {label}"),
               "test": N_("test image #{index}: label {label}")}
IMAGE_ALT = {"training": N_("training image #{index}, label {label}, 28×28 pixels"),
             "test": N_("test image #{index}, label {label}, 28×28 pixels")}
MORE_IMAGES = {"training": N_("More images from the training set"), "test": N_("More images from the test set")}
MORE_OF_DIGIT = {"training": N_("More {digit}s from the training set"), "test": N_("More {digit}s from the test set")}

shell.require()
st.title(_("Data"))
st.markdown(_(
    "MNIST holds {training} training and {test} test images of handwritten digits, each 28×28 grey "
    "pixels from 0 (black) to 255 (white) with its true label. The network reads one image as a "
    "784-vector *x* of pixel/255, so every input lies in [0, 1].").format(training=number(60_000), test=number(10_000)))

mnist = session.dataset()


@st.cache_resource(show_spinner=False)
def class_indices(split: str) -> list:
    """For each digit, the positions of its images in the split (computed once per process)."""
    labels = mnist.train_labels if split == "training" else mnist.test_labels
    return [np.flatnonzero(labels == digit) for digit in range(10)]


@st.cache_resource(show_spinner=False)
def pixel_histogram() -> np.ndarray:
    """How many training pixels take each value 0…255."""
    return np.bincount(np.asarray(mnist.train_images).ravel(), minlength=256)


# Display names translated now, in this run's language: a format_func may be called later, outside it (AppTest).
split_names = {name: _(label) for name, label in SPLITS.items()}
digit_names = {"any": _("any"), **{digit: str(digit) for digit in range(10)}}
split = st.segmented_control(_("Set"), list(SPLITS), format_func=split_names.get, default="training",
                             key="data_split") or "training"
images = mnist.train_images if split == "training" else mnist.test_images
labels = mnist.train_labels if split == "training" else mnist.test_labels

# The tables' nine columns need about 370 px to show whole (tests/test_browser_fit.py), so the image gives way.
left, right = st.columns([2, 3])
with left:
    digit = st.selectbox(_("Digit"), ["any"] + list(range(10)), key="data_digit",
                         format_func=digit_names.get)
    pool = np.arange(len(labels)) if digit == "any" else class_indices(split)[digit]
    position = st.number_input(_("Image number within this selection (0 to {last})").format(last=number(len(pool) - 1)),
                               min_value=0, max_value=len(pool) - 1, value=0, step=1, key="data_position")
    index = int(pool[position])
    image = np.asarray(images[index])
    chart_kit.show(chart_kit.image(image, _(IMAGE_TITLE[split]).format(index=number(index), label=labels[index]),
                                   height=320, alt=_(IMAGE_ALT[split]).format(index=number(index), label=labels[index])),
                   "data_image")
with right:
    st.markdown(_("**The /255 scaling**: the centre 8×8 pixels of this image, raw and as the network reads them."))
    crop = image[10:18, 10:18]
    numbers = [str(i) for i in range(10, 18)]
    st.caption(_("raw pixel p (0…255), rows and columns numbered as in the image"))
    st.table(pd.DataFrame(crop, index=numbers, columns=numbers))
    st.caption(_("x = p / 255, what the network reads"))
    scaled = pd.DataFrame(crop / 255, index=numbers, columns=numbers).round(2)
    st.table(widgets.in_language(scaled, ".2f"))

st.subheader(_(MORE_IMAGES[split]) if digit == "any" else _(MORE_OF_DIGIT[split]).format(digit=digit))
start = min(position, max(len(pool) - 20, 0))
shown = pool[start:start + 20]
st.caption(_("**open** under an image follows it through the network on the Forward pass screen."))
widgets.forward_pass_gallery([figures.grey_image(images[i], scale=2) for i in shown],
                             [f"#{number(i)}: {labels[i]}" for i in shown],
                             [_(IMAGE_ALT[split]).format(index=number(i), label=labels[i]) for i in shown],
                             split, shown, key="data_open")

counts_column, histogram_column = st.columns(2)
with counts_column:
    counts = {_(SPLITS[name]): [len(indices) for indices in class_indices(name)] for name in SPLITS}
    chart_kit.show(chart_kit.grouped_bars(counts, figures.DIGITS, _("Images per digit"), _("digit"), _("images")),
                   "data_counts")
with histogram_column:
    histogram = pixel_histogram()
    chart_kit.show(chart_kit.histogram(
        histogram, _("Training pixel values ({share} are 0)").format(share=number(histogram[0] / histogram.sum(), ".0%")),
        _("pixel value p"), _("pixels (log scale)")), "data_hist")

shell.next_screen_link(__file__)
