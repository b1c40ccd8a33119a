"""Data: what the network sees. MNIST samples by class and index, class counts, pixel values."""

import numpy as np
import pandas as pd
import streamlit as st

from ui import figures, session, shell, widgets

shell.require()
st.title("Data")
st.markdown(
    "MNIST holds 60,000 training and 10,000 test images of handwritten digits, each 28×28 grey "
    "pixels from 0 (black) to 255 (white) with its true label. The network reads one image as a "
    "784-vector *x* of pixel/255, so every input lies in [0, 1].")

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


split = st.segmented_control("Set", ["training", "test"], default="training", key="data_split") or "training"
images = mnist.train_images if split == "training" else mnist.test_images
labels = mnist.train_labels if split == "training" else mnist.test_labels

left, right = st.columns([1, 1])
with left:
    digit = st.selectbox("Digit", ["any"] + list(range(10)), key="data_digit")
    pool = np.arange(len(labels)) if digit == "any" else class_indices(split)[digit]
    position = st.number_input(f"Image number within this selection (0 to {len(pool) - 1:,})",
                               min_value=0, max_value=len(pool) - 1, value=0, step=1, key="data_position")
    index = int(pool[position])
    image = np.asarray(images[index])
    st.plotly_chart(figures.digit_image(image, f"{split} image #{index:,}: label {labels[index]}", height=320),
                    key="data_image")
with right:
    st.markdown("**The /255 scaling**: the centre 8×8 pixels of this image, raw and as the network reads them.")
    crop = image[10:18, 10:18]
    numbers = [str(i) for i in range(10, 18)]
    st.caption("raw pixel p (0…255), rows and columns numbered as in the image")
    st.dataframe(pd.DataFrame(crop, index=numbers, columns=numbers), height=318)
    st.caption("x = p / 255, what the network reads")
    st.dataframe(pd.DataFrame(crop / 255, index=numbers, columns=numbers).round(2), height=318)

st.subheader(f"More {'images' if digit == 'any' else f'{digit}s'} from the {split} set")
start = min(position, max(len(pool) - 20, 0))
shown = pool[start:start + 20]
st.caption("**open** under an image follows it through the network on the Forward pass screen.")
widgets.forward_pass_gallery([figures.grey_image(images[i], scale=2) for i in shown],
                             [f"#{i:,}: {labels[i]}" for i in shown],
                             [f"{split} image #{i:,}, label {labels[i]}, 28×28 pixels" for i in shown],
                             split, shown, key="data_open")

counts_column, histogram_column = st.columns(2)
with counts_column:
    counts = {name: [len(indices) for indices in class_indices(name)] for name in ("training", "test")}
    st.plotly_chart(figures.grouped_bars(counts, figures.DIGITS, "Images per digit", "digit", "images"),
                    key="data_counts")
with histogram_column:
    histogram = pixel_histogram()
    st.plotly_chart(figures.figure(
        [dict(type="bar", x=np.arange(256), y=histogram, marker=dict(color="#555555"))],
        f"Training pixel values ({histogram[0] / histogram.sum():.0%} are 0)", 300,
        xaxis=figures.axis("pixel value p"), yaxis=figures.axis("pixels (log scale)", type="log")), key="data_hist")

shell.next_screen_link(__file__)
