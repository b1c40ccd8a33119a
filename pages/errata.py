"""Errata: the design document's five errata, where each stands, what the app does, the number that shows it."""

import numpy as np
import pandas as pd
import streamlit as st

import locales
from core.model import errata
from core.model import gradient_check
from core.model import network
from core.training.settings import learning_rate_at
from locales import _, number
from locales.words import rule_name, said
from ui import chart_errata, chart_kit, figures, session, shell, widgets

shell.require()
st.title(_("Errata"))
st.markdown(_(
    "The design document (V. Rousopoulos, *Machine Learning (Basics) with numpy*) has five mistakes. "
    "The app keeps the document's behaviour as its default where the document's **code** does it (so it "
    "trains exactly the network the document trains) and fixes what would not run or would break training. "
    "For each erratum: where it stands in the document, quoted; what the app does instead; and the number "
    "that shows it, computed now from the current model. Digits are named by themselves, 0 to 9 "
    "(the document's y₁…y₁₀ stand for digits 0…9)."))

trainer = session.trainer()
params = trainer.params
record = trainer.last_record
if record is not None:
    index, label, x = record.index, record.label, np.asarray(record.x, dtype=np.float64)
    st.info(_("**The sample used below:** training image #{index} (label {label}), the last one trained, "
              "through the current weights (step {step}, after that image's update).").format(
                index=number(index), label=label, step=number(trainer.sgd_steps)), icon=":material/image:")
else:
    mnist = session.dataset()
    index = trainer.index % trainer.training_size
    label, x = int(mnist.train_labels[index]), network.pixels(mnist.train_images[index]).reshape(-1)
    st.info(_("**The sample used below:** no step is in memory (nothing trained yet, or after a load or a stop), "
              "so this is the next training image, #{index} (label {label}), the one **Step** would train on, "
              "through the current weights (step {step}).").format(
                index=number(index), label=label, step=number(trainer.sgd_steps)), icon=":material/image:")
fwd = network.forward(params, x)
A2, Z2 = fwd.A2, fwd.Z2
y = network.one_hot(label)


def number_row(values, digits=4) -> list:
    return [round(float(value), digits) for value in values]


def vectors_table(columns: dict, digits=4, index=None) -> pd.DataFrame:
    """Named vectors side by side, one row per digit: narrow enough for a laptop's main column."""
    table = pd.DataFrame({name: number_row(values, digits) for name, values in columns.items()})
    table.index = pd.Index(range(len(table)), name=_("digit") if index is None else index)
    return table


# --- 1 -------------------------------------------------------------------------------------------
st.subheader(_("1 · dZ2 = 2(A2 − y) is not the gradient of the squared error"))
st.markdown(_("**In the document.** Backward Propagation, the chain rule (3) and its result (4), and "
              "Algorithm 3 (`backProp`), line 14:"))
st.latex(r"\frac{\partial \mathcal{L}}{\partial w_i^{(l)}} = \frac{\partial \mathcal{L}}{\partial a_i^{(l)}} \cdot "
         r"\frac{\partial a_i^{(l)}}{\partial z_i^{(l)}} \cdot \frac{\partial z_i^{(l)}}{\partial w_{i,j}^{(l)}} \quad (3)")
st.code("14     dZ2 = 2 * (A_2 - vector)", language="python")
st.markdown(_(
    "Rule (3) assumes output *i* depends on its own input z*ᵢ* only. That is true of a ReLU layer, "
    "A1ₖ = ReLU(Z1ₖ), but not of the softmax:"))
st.latex(r"A_{2,k} = \frac{e^{Z_{2,k}}}{\sum_{j} e^{Z_{2,j}}}")
st.markdown(_(
    "Every A2ₖ is divided by the **same** sum, so the outputs are coupled: raise one score Z2ⱼ and "
    "A2ⱼ goes up while **every other** A2ₖ goes down (they must still add up to 1). How much each "
    "output moves when each input moves is a 10×10 table, the softmax's *Jacobian* J:"))
st.latex(r"J_{kj} = \frac{\partial A_{2,k}}{\partial Z_{2,j}} = A_{2,k}\,(\delta_{kj} - A_{2,j})")
st.latex(r"J = \mathrm{diag}(A_2) - A_2 A_2^{T}")
st.markdown(_(
    "- **Diagonal** J*ₖₖ* = A2*ₖ*(1 − A2*ₖ*) > 0: raising a digit's own score raises its own probability.\n"
    "- **Off the diagonal** J*ₖⱼ* = −A2*ₖ*·A2*ⱼ* < 0: raising digit *j*'s score takes probability away from digit *k*.\n"
    "- Each column adds up to 0: a nudge moves probability between the digits, it never creates any.\n\n"
    "The chain rule must add up every path from Z2ⱼ to the loss, through all ten outputs:"))
st.latex(r"\frac{\partial \mathcal{L}}{\partial Z_{2,j}} = \sum_{k} \frac{\partial \mathcal{L}}{\partial A_{2,k}}\,J_{kj}"
         r"\quad\Rightarrow\quad dZ_2 = J\,2(A_2 - y)")
J = errata.softmax_jacobian(A2)
chart_kit.show(chart_errata.jacobian(J, label), key="errata_jacobian")
column_sums = np.abs(J.sum(axis=0)).max()
confident = int(A2.argmax())
st.markdown(_(
    "For this sample the network gives digit {digit} probability {probability}, so its diagonal entry is "
    "{probability} × {rest} = {entry}. The largest |column sum| is {sum} (zero up to rounding). The document's "
    "rule keeps none of J: it uses 2(A2 − y) as if J were the identity. What that rule really is: the exact "
    "gradient of **twice the cross-entropy**, because").format(
        digit=confident, probability=number(A2[confident], ".3f"), rest=number(1 - A2[confident], ".3f"),
        entry=number(J[confident, confident], ".4f"), sum=number(column_sums, ".1e")))
st.latex(r"\frac{\partial}{\partial Z_2}\bigl(-\log A_{2,y}\bigr) = A_2 - y \quad\Rightarrow\quad "
         r"2(A_2 - y) = \frac{\partial\,(2\,\mathcal{L}_{CE})}{\partial Z_2}")
rules = errata.dZ2_by_rule(A2, label)
chart_kit.show(chart_kit.dZ2_rules(rules, label), key="errata_rules")
# The columns are headed by each rule's dZ2 alone (the chart above names the rules): with the names, the
# Greek headers made the table wider than its column at 1024 px.
st.dataframe(widgets.in_language(vectors_table(
    {"A2": A2, "y": y, **{figures.RULE_FORMULAS[name]: values for name, values in rules.items()}}), ".4f"))

st.markdown(_("**The number: the gradient check.** Each rule's gradient of every parameter against central "
              "finite differences of a loss, for this sample. A relative error below one in a million means the rule "
              "*is* the gradient of that loss; a large one means it is not:"))


@st.cache_data(max_entries=32, show_spinner=False)
def document_rule_checks(W1, b1, W2, b2, x, label, language: str) -> pd.DataFrame:
    """The document's rule checked against 1 × MSE and 2 × cross-entropy, worst layer of each (its text in `language`)."""
    model = network.Parameters(W1, b1, W2, b2)
    rows = []
    for loss, scale in (("mse", 1.0), ("cross-entropy", 2.0)):
        report = gradient_check.gradient_check(model, x, label, "document", loss, scale=scale)
        worst = max(check.relative_error for check in report.values())
        rows.append((f"{number(scale, 'g')} × {'Σ(A2 − y)²' if loss == 'mse' else '(−log A2_y)'}",
                     *(report[name].relative_error for name in network.PARAMETER_NAMES), worst,
                     said(gradient_check.verdict(worst))))
    return pd.DataFrame(rows, columns=[_("2(A2 − y) against"), *network.PARAMETER_NAMES, _("worst"), _("verdict")])


checks = document_rule_checks(*(np.array(array) for array in params.as_tuple()), x, label, locales.language())
error_columns = [*network.PARAMETER_NAMES, _("worst")]
error_formats = dict.fromkeys(error_columns, ".1e")
st.dataframe(widgets.in_language(checks, error_formats), hide_index=True,
             column_config=widgets.number_columns(error_formats))
st.markdown(_(
    "**What the app does.** The gradient rule is a setting: the {document} rule (the default, so the app trains the "
    "network the document trains), the {mse} rule (J·2(A2 − y), the gradient of the squared error the document "
    "names) and the {cross_entropy} rule (A2 − y). This run uses the {rule} rule. Train shows both losses.").format(
        document=rule_name("document"), mse=rule_name("mse"), cross_entropy=rule_name("cross-entropy"),
        rule=rule_name(trainer.settings.rule)))
st.page_link("pages/gradients.py", label=_("Gradients: the check for every rule and loss, layer by layer"),
             icon=":material/trending_down:")

# --- 2 -------------------------------------------------------------------------------------------
st.subheader(_("2 · Equation (4) puts a ReLU indicator on the output layer"))
st.markdown(_("**In the document.** Backward Propagation, equations (4) and (6), and again inside the sums of "
              "(8) and (10):"))
st.latex(r"\frac{\partial \mathcal{L}}{\partial w_i^{(l)}} = 2(a_i^{(l)} - y_i) \cdot \mathbf{1}_{\{z_i^{(l)} > 0\}} "
         r"\cdot a_j^{(l-1)} \quad (4)")
st.latex(r"\frac{\partial \mathcal{L}}{\partial b_i^{(l)}} = 2(a_i^{(l)} - y_i) \cdot \mathbf{1}_{\{z_i^{(l)} > 0\}} "
         r"\cdot 1 \quad (6)")
mask = errata.output_relu_mask(Z2)
zeroed = [digit for digit in range(len(mask)) if mask[digit] == 0]
document_dZ2 = rules["document"]
st.markdown(_(
    "Layer *l* is the output layer, which has a softmax and **no ReLU**, so 1[z > 0] does not belong there. "
    "The document's code (line 14 above) leaves it out, so code and equations disagree."))
st.markdown(_(
    "**What the app does.** It follows the code: dZ2 has no indicator. The indicator 1[Z1 > 0] is used "
    "where there is a ReLU, in the hidden layer (dZ1 = dA1 ⊙ 1[Z1 > 0])."))
left, right = st.columns([3, 1])
with left:
    chart_kit.show(chart_errata.output_mask(document_dZ2, mask), key="errata_mask")
with right:
    st.metric(_("zeroed by 1[Z2 > 0]"), _("{count} of {total}").format(count=len(zeroed), total=len(mask)))
    st.caption(_("Z2 ≤ 0 for digits {digits}.").format(digits=", ".join(map(str, zeroed))) if zeroed
               else _("Z2 ≤ 0 for digits none."))
st.dataframe(widgets.in_language(vectors_table({
    "Z2": Z2, "1[Z2 > 0]": mask, _("2(A2 − y), the code"): document_dZ2,
    "(4): 2(A2 − y)·1[Z2 > 0]": errata.equation_4_dZ2(A2, Z2, label)}), ".4f"))
if mask[label] == 0:
    st.warning(_("Here Z2 of the true digit {label} is {z} ≤ 0: equation (4) would drop the one entry that pushes "
                 "the right answer up ({entry}).").format(
                   label=label, z=number(Z2[label], ".3f"), entry=number(document_dZ2[label], ".3f")),
               icon=":material/warning:")
else:
    st.markdown(_("Here Z2 of the true digit {label} is {z} > 0, so its entry survives; the zeroed ones are wrong "
                  "digits whose probability would no longer be pushed down.").format(
                    label=label, z=number(Z2[label], ".3f")))

# --- 3 -------------------------------------------------------------------------------------------
st.subheader(_("3 · The target is written yᵢ = μ; it should be 1"))
st.markdown(_("**In the document.** Mean squared error, the definition of y for the expected digit μ:"))
st.latex(r"\mathbf{y} = \begin{bmatrix} y_0 \\ y_1 \\ \vdots \\ y_n \end{bmatrix} \quad \text{με} \quad "
         r"\begin{cases} y_i = \mu, & \text{αν } i = \mu \\ 0, & \text{διαφορετικά} \end{cases}")
document_y = errata.document_target(label)
st.markdown(_(
    "That y is not a probability distribution (it sums to μ, not to 1, against the document's own "
    "Σ yᵢ = 1), and for μ = 0 it is all zeros. The code gets it right: Algorithm 3, line 12, "
    "`vector[mean, 0] = 1`."))
st.markdown(_("**What the app does.** The one-hot target, yᵢ = 1 for i = μ and 0 otherwise."))
st.dataframe(widgets.in_language(vectors_table({
    "A2": A2, _("one-hot y (the app)"): y, _("document's y (μ = {label})").format(label=label): document_y},
    digits=3), ".3f"))
left, right = st.columns(2)
left.metric(_("loss Σ(A2 − y)² with the one-hot y"), number(errata.squared_error(A2, y), ".4f"))
right.metric(_("with the document's y (μ = {label})").format(label=label),
             number(errata.squared_error(A2, document_y), ".4f"))
st.markdown(_("The same output A2, scored against each possible label μ: for μ = 1 the two targets coincide, for "
              "μ = 0 the document's y is all zeros, and from μ = 2 on its loss is dominated by (A2_μ − μ)²."))
st.dataframe(widgets.in_language(vectors_table({
    _("Σ(A2 − y)², one-hot y"): [errata.squared_error(A2, network.one_hot(mu)) for mu in range(10)],
    _("Σ(A2 − y)², document's y"): [errata.squared_error(A2, errata.document_target(mu)) for mu in range(10)]},
    digits=3, index=_("label μ")), ".3f"))

# --- 4 -------------------------------------------------------------------------------------------
st.subheader(_("4 · The softmax listing returns an undefined name"))
st.markdown(_("**In the document.** Algorithm 2 (ReLU - Softmax), lines 4 to 8:"))
st.code(errata.SOFTMAX_LISTING, language="python")
_unused, error = errata.listing_softmax(Z2)
fixed, _unused = errata.listing_softmax(Z2, errata.fixed_softmax_listing())
st.markdown(_(
    "`A_out_prob` is never assigned. Calling the listing as printed on this sample's Z2 (the app runs it now) "
    "raises **`{error}`**. The fix is its last line:").format(error=error))
st.code(errata.fixed_softmax_listing(), language="python")
difference = float(np.abs(fixed - A2).max())
if difference == 0:
    st.markdown(_(
        "**What the app does.** `core/model/network.py`'s softmax is exactly that: exp(Z2 − max Z2) / Σ exp(Z2 − max Z2). "
        "On this sample's Z2 the fixed listing and the app's softmax give the same ten probabilities, "
        "to the last bit."))
else:
    st.markdown(_(
        "**What the app does.** `core/model/network.py`'s softmax is exactly that: exp(Z2 − max Z2) / Σ exp(Z2 − max Z2). "
        "On this sample's Z2 the fixed listing and the app's softmax differ by at most {difference} over the ten "
        "digits (rounding in the last bits).").format(difference=number(difference, ".1e")))

# --- 5 -------------------------------------------------------------------------------------------
st.subheader(_("5 · The accuracy print and the learning-rate decay run once per sample"))
st.markdown(_("**In the document.** Algorithm 4 (Gradient Descent), lines 7 and 24 to 30, indented inside the "
              "per-sample loop `for i in range(total_samples)`:"))
st.code("""7          for i in range(total_samples):
...
24              accuracy = (correct_predictions / total_samples) * 100
25              accuracy_list.append(accuracy)
26              print(f"Epoch {epoch+1}, Accuracy: {accuracy:.2f}%")
27
28              if (epoch + 1) % 5 == 0:
29                  learning_rate *= 0.5
30                  print(f"Learning rate decayed to {learning_rate}")""", language="python")  # i18n: not text
settings = trainer.settings
samples = trainer.training_size
alpha, factor, period = settings.learning_rate, settings.decay_factor, settings.decay_period
to_zero = errata.samples_until_zero(alpha, factor)
st.markdown(_(
    "**What the app does.** Both belong to the epoch loop. Counting epochs from 1, as every screen and the "
    "table below do, the app keeps α for a whole epoch, α = {alpha} × {factor}^⌊(epoch − 1) / {period}⌋ "
    "(now {now}): epochs 1 to {period} train with {alpha}. It measures accuracy once per epoch, on the test "
    "set, when the epoch ends.").format(
        alpha=number(alpha, "g"), factor=number(factor, "g"), period=period, now=number(trainer.learning_rate, "g")))
st.markdown(_(
    "**The number.** As indented, line 26 prints **{samples} times per epoch** (an accuracy that counts up "
    "from 0 during the epoch, since it divides the correct answers so far by all {samples}), and "
    "`accuracy_list` grows by {samples} entries per epoch. Worse, in epoch {period} (the first where "
    "(epoch + 1) % {period} = 0) α is multiplied by {factor} after **every sample**:").format(
        samples=number(samples), period=period, factor=number(factor, "g")))
if to_zero is None:
    st.markdown(_("with the factor {factor} α never shrinks, so this run would not notice.").format(
        factor=number(factor, "g")))
else:
    after = errata.decayed_per_sample(alpha, factor, min(1000, to_zero))
    mantissa, exponent = f"{after:.2e}".split("e")
    after_sample, of_epoch = _("after sample"), _("of epoch {period}").format(period=period)
    st.latex(rf"\alpha_n = {locales.latex_number(alpha)} \times {locales.latex_number(factor)}^{{\,n}}\ "
             rf"\text{{{after_sample} }} n \text{{ {of_epoch}}}")
    st.latex(rf"\alpha_{{{min(1000, to_zero)}}} = {locales.latex_number(float(mantissa), '.2f')} \times 10^{{{int(exponent)}}},"
             rf"\qquad \alpha_{{{to_zero}}} = 0")
    st.markdown(_(
        "In float64, α = {alpha} reaches exactly **0 after {count} samples** of that epoch's {samples} "
        "(line 30 prints {samples} times too). From then on every update is −0·dP: the network stops learning for "
        "good, and the later epochs only print.").format(
            alpha=number(alpha, "g"), count=number(to_zero), samples=number(samples)))
    epochs = np.arange(1, min(2 * period, 10) + 1)
    indented = [alpha if epoch < period else 0.0 for epoch in epochs]
    schedule = pd.DataFrame({_("α in the app"): [learning_rate_at(settings, epoch - 1) for epoch in epochs],
                             _("α as indented, at the epoch's end"): indented},
                            index=pd.Index(epochs, name=_("epoch")))
    schedule_formats = dict.fromkeys(schedule.columns, ".3g")
    st.dataframe(widgets.in_language(schedule, schedule_formats), column_config=widgets.number_columns(schedule_formats))

shell.next_screen_link(__file__)
