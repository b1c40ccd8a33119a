"""Evaluate: the current model on all 10,000 test images: accuracy, confusions and its mistakes."""

import numpy as np
import streamlit as st

from core.model import metrics
from locales import _, ngettext, number, percent
from ui import chart_heatmap, chart_kit, figures, session, shell, widgets

PER_PAGE = 40
ANY = "any"
SURE = 0.99  # a probability above this reads as certainty

shell.require()
st.title(_("Evaluate"))
st.markdown(_(
    "The test set's {count} images were never used for training, so they show how well the model "
    "generalises. The **confusion matrix** counts, for each true digit (row), what the model "
    "predicted (column): the diagonal holds the correct answers, everything else a mistake. Click a "
    "cell, or choose the classes below, to see those mistakes, the ones the model was surest of first."
).format(count=number(10_000)))

trainer = session.trainer()
mnist = session.dataset()
if trainer.sgd_steps == 0:
    st.info(_("The model is untrained (step 0): expect about 10 % accuracy, a guess. "
              "Train on the Train screen first."), icon=":material/school:")

probabilities = trainer.test_predictions()
predicted = probabilities.argmax(axis=1)
labels = np.asarray(mnist.test_labels)
confusion = metrics.confusion_matrix(labels, predicted)
wrong_count = int(len(labels) - np.trace(confusion))


def filter_key(name: str) -> str:
    return f"evaluate_{name}"


def follow_chart_click(_series: int, cell: int) -> None:
    """A clicked confusion-matrix cell (true × 10 + predicted) sets the two class filters (the selectboxes show it)."""
    true, predicted = divmod(cell, 10)
    st.session_state[filter_key("true")] = true
    st.session_state[filter_key("predicted")] = predicted
    # The gallery sits below the matrix, out of sight on a laptop: the next run scrolls to it.
    st.session_state["evaluate_scrolls"] = st.session_state.get("evaluate_scrolls", 0) + 1
    st.session_state["evaluate_scroll_now"] = True


def scroll_to_gallery() -> None:
    """Scroll the browser to the gallery's heading; the count makes each request a new element, so it runs again."""
    st.html(f"<script data-request='{st.session_state['evaluate_scrolls']}'>"
            "setTimeout(() => document.getElementById('gallery')?.scrollIntoView({behavior: 'smooth'}), 150);"
            "</script>", unsafe_allow_javascript=True)


def chosen(name: str):
    value = st.session_state.get(filter_key(name), ANY)
    return None if value == ANY else value


top_left, top_right = st.columns([1, 3])
with top_left:
    st.metric(_("Test accuracy"), percent(trainer.evaluate()))
    st.caption(_("{wrong} of {total} test images wrong, with the weights after step {step}.").format(
        wrong=number(wrong_count), total=number(len(labels)), step=number(trainer.sgd_steps)))
    sure_and_wrong = int(np.sum(probabilities[predicted != labels].max(axis=1) > SURE))
with top_right:
    per_class = metrics.per_class_accuracy(confusion)
    weakest = int(np.nanargmin(per_class))
    chart_kit.show(chart_kit.bars(per_class, figures.DIGITS,
                                  _("Accuracy per true digit (the weakest, {digit}, in dark grey)").format(digit=weakest),
                                  _("true digit"), _("fraction correct"), emphasis=weakest, height=260,
                                  y_range=[0, 1.15], text_format=".0%"), key="evaluate_per_class")

chart_kit.show(chart_heatmap.confusion(confusion, _("Confusion matrix: test images of each true digit by "
                                                    "prediction (click a cell to see those mistakes)"),
                                       true=chosen("true"), predicted=chosen("predicted")),
               key="evaluate_confusion", on_click=follow_chart_click)

st.markdown(_(
    "**{sure} of the {wrong} wrong answers** were given with a probability above "
    "{threshold}. A softmax probability says how far one score Z2 stands above the others, not how often such "
    "an answer is right: the model can be almost certain and still wrong."
).format(sure=number(sure_and_wrong), wrong=number(wrong_count), threshold=number(SURE, ".0%")))

st.subheader(_("Misclassified test images"), anchor="gallery")
if st.session_state.pop("evaluate_scroll_now", False):
    scroll_to_gallery()
options = [ANY, *range(10)]
filters = st.columns([1, 1, 3])
# The display text is made now, in this run's language: Streamlit may call format_func later, from
# another thread (AppTest does, to read the widget's state back), where this session's language is unknown.
any_text = _("any")


def option_text(value) -> str:
    return any_text if value == ANY else str(value)


filters[0].selectbox(_("true digit"), options, key=filter_key("true"), format_func=option_text)
filters[1].selectbox(_("predicted digit"), options, key=filter_key("predicted"), format_func=option_text)
true_class, predicted_class = chosen("true"), chosen("predicted")

if true_class is not None and true_class == predicted_class:
    st.info(_("That is the diagonal: the {count} test images of a {digit} read correctly. "
              "Choose two different digits to see mistakes.").format(
                  count=number(confusion[true_class, true_class]), digit=true_class),
            icon=":material/check_circle:")
else:
    mistakes = metrics.misclassified(labels, predicted, probabilities, true=true_class, predicted=predicted_class)
    pages = max(1, -(-len(mistakes) // PER_PAGE))
    # Keyed by the page count too: after more training the count changes and paging starts again at 1.
    page = filters[2].number_input(_("page (of {pages}, {per_page} images each)").format(
                                       pages=number(pages), per_page=PER_PAGE), 1, pages, 1,
                                   key=f"evaluate_page_{true_class}_{predicted_class}_{pages}") if pages > 1 else 1
    first = (page - 1) * PER_PAGE
    shown = mistakes[first:first + PER_PAGE]
    if len(shown) == 0:
        st.success(_("No test image is misclassified that way."), icon=":material/check_circle:")
    else:
        st.caption(ngettext(
            "{count} mistake; showing {first}–{last}, most confident first. "
            "Under each: test image number, true → predicted digit, and the probability the model "
            "gave its (wrong) prediction; **open** follows the image through the network on the "
            "Forward pass screen.",
            "{count} mistakes; showing {first}–{last}, most confident first. "
            "Under each: test image number, true → predicted digit, and the probability the model "
            "gave its (wrong) prediction; **open** follows the image through the network on the "
            "Forward pass screen.", len(mistakes)).format(
                count=number(len(mistakes)), first=number(first + 1), last=number(first + len(shown))))
        widgets.forward_pass_gallery(
            [figures.grey_image(mnist.test_images[index], scale=3) for index in shown],
            [f"#{index} · {labels[index]} → {predicted[index]} · {number(probabilities[index, predicted[index]], '.0%')}"
             for index in shown],
            [_("Test image #{index}, 28×28 pixels, true label {label}, read as {digit} "
               "with probability {probability}").format(
                 index=number(index), label=labels[index], digit=predicted[index],
                 probability=number(probabilities[index, predicted[index]], ".0%")) for index in shown],
            "test", shown, key="evaluate_open")

shell.next_screen_link(__file__)
