"""Home: what Backprop Lab is, the network it studies, and where to start."""

import streamlit as st

from locales import _, number
from ui import figures, session, shell, widgets

shell.require()
st.title("Backprop Lab")
st.markdown(_(
    "A tiny neural network, written in plain numpy, learns to read handwritten digits (MNIST). "
    "You train it **one sample at a time** and see every number the maths talks about: the input "
    "pixels, each layer's values, the gradients, the first-layer weights as images, the loss "
    "surface, the test errors, and a digit you draw yourself. The maths follows a short design "
    "document (V. Rousopoulos, *Machine Learning (Basics) with numpy*), including its errata."))
st.page_link("pages/errata.py", label=_("The document's five errata, and the numbers that show them"),
             icon=":material/rule:")

trainer = session.trainer()
hidden = trainer.settings.hidden


left, right = st.columns([1, 1])
with left:
    st.subheader(_("The network: 784 → {hidden} → 10").format(hidden=hidden))
    widgets.picture(figures.network_diagram(hidden),
                    alt=_("Diagram of the network: 784 input pixels, {hidden} hidden units and 10 outputs, "
                          "each layer fully connected to the next").format(hidden=hidden))
with right:
    st.subheader(_("The maths in four lines"))
    st.latex(r"Z_1 = W_1^{T}x + b_1,\quad A_1 = \mathrm{ReLU}(Z_1)")
    st.latex(r"Z_2 = W_2^{T}A_1 + b_2,\quad A_2 = \mathrm{softmax}(Z_2)")
    st.latex(r"\mathcal{L} = \sum_{d=0}^{9} (A_{2,d} - y_d)^2")
    st.latex(r"P \leftarrow P - \alpha\,\frac{\partial \mathcal{L}}{\partial P}\ \text{" + _("after every sample") + "}")
    st.caption(_("W1 is 784×{hidden}: column k is hidden unit k's template, shown as a 28×28 image on the "
                 "Weights screen. α halves every 5 epochs.").format(hidden=hidden))
    st.caption(_("Numbering as in the design document: pixels 1…784 and hidden units 1…h count from 1; the ten "
                 "outputs are named by their digit 0…9, which the document writes y₁…y₁₀ (y₁ is digit 0), so "
                 "its loss Σᵢ₌₁¹⁰ (aᵢ − yᵢ)² is the sum above over d = 0…9."))

# The README's list of screens, one message per screen.
st.subheader(_("Where to start"))
st.markdown("\n".join([
    _("1. **Data**: what the network sees: 28×28 grey images, pixel values divided by 255."),
    _("2. **Forward pass**: one image through the network, every intermediate value."),
    _("3. **Train**: step one sample at a time and watch the loss, the prediction and W1 change."),
    _("4. **Weights**: the hidden units' templates, and how they evolved."),
    _("5. **Gradients**: what backpropagation computed, checked against finite differences "
      "(where the document's erratum shows)."),
    _("6. **Loss surface**: the loss around the current weights, and the path training took."),
    _("7. **Draw** a digit for the network to read, **Evaluate** it on the {count} test images, and "
      "**Save & load** a run.").format(count=number(10_000)),
]) + "\n\n" + _("Every screen shows the same model: step on *Train*, look anywhere else."))
st.page_link("pages/train.py", label=_("Go to Train"), icon=":material/model_training:")
if session.current().classroom.seat is None:
    st.caption(_("Teaching a lab session? The **Teach** screen opens a class: students join with a link, tasks "
                 "check themselves, and a dashboard shows every student's run live."))

shell.next_screen_link(__file__)
