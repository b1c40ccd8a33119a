"""Compare: 2 to 4 runs from one start, trained in lockstep, side by side and on one loss plane."""

import time

import numpy as np
import streamlit as st

from core import comparison as lockstep
from core import loss_surface, shared_plane
from core.history import History
from core.settings import NUMERIC_RANGES
from core.surface_settings import LOSS_OF_RULE
from ui import compare_figures, comparison, figures, session, shell, widgets

# Training per rerun while running an epoch, all runs together: the panel redraws and Stop is heard between
# slices. Twice the Train screen's 0.2 s: each slice's rerun and redraw cost the same however many runs it trains.
RUN_SLICE_SECONDS = 0.4
LOSS_SYMBOLS = {"mse": "Σ(A2 − y)²", "cross-entropy": "−log A2_y"}

shell.require()
st.title("Compare")
st.markdown(
    "Two to four runs from one start, trained **in lockstep**: every click gives each run the same next "
    "training images in the same order, so any difference between them comes from the one setting that "
    "differs. From the same initial weights, how do the document's rule, the exact MSE gradient and "
    "cross-entropy move through the same landscape? Which learning rate silences the hidden units?")

state = session.current()
handle, data = state.run.handle, state.run.data


def replace_comparison(new: comparison.Comparison) -> None:
    """Show `new` from now on; the one it replaces stays stored, behind a link."""
    old = state.comparison
    if old is not None:
        new.previous = old.link()
    state.comparison = new


def follow_link() -> None:
    """Open the comparison ?compare= names unless it is the one shown; a bad value gets a message and changes nothing."""
    requested = st.query_params.get(comparison.QUERY_KEY)
    shown = state.comparison
    if requested is not None and (shown is None or requested != shown.query_value()):
        opened, problems = comparison.open_link(handle, data, requested)
        if opened is not None:
            replace_comparison(opened)
        else:
            kept = ("The comparison on this screen is unchanged." if shown is not None else
                    "Build a set of runs below, or paste the runs' own links.")
            st.error(f"**The comparison in this link cannot be opened:** {'; '.join(problems)}. {kept}",
                     icon=":material/link_off:")
    value = state.comparison.query_value() if state.comparison is not None else None
    if value is None:
        if comparison.QUERY_KEY in st.query_params:
            del st.query_params[comparison.QUERY_KEY]
    elif st.query_params.get(comparison.QUERY_KEY) != value:
        st.query_params[comparison.QUERY_KEY] = value


def build(make_settings, what: str) -> None:
    """Start the set `make_settings()` describes from the Train screen's run's θ0; a bad setting gets a message."""
    try:
        chosen = make_settings()
    except ValueError as error:
        st.error(f"**That set cannot be built:** {error}. Nothing was changed.", icon=":material/error:")
        return
    replace_comparison(comparison.from_start(handle, data, state.trainer, chosen, what))
    st.rerun()


def build_section() -> None:
    """The three ways to make a set: the gradient rules, the learning rates, runs picked by link."""
    trainer = state.trainer
    settings = trainer.settings
    seeded = lockstep.starts_from_seed(trainer)
    start = (f"seed {settings.seed}, {settings.init} initialisation" if seeded else
             "the initial weights your uploaded checkpoint carries")
    st.markdown(
        f"The first two sets start new runs from the initial weights θ0 of your run on the Train screen "
        f"(784 → {settings.hidden} → 10, {start}; α = {settings.learning_rate:g}, rule `{settings.rule}`, "
        f"halving every {settings.decay_period} epochs). Each is a stored run with its own link; your run on the "
        "Train screen is not changed.")
    if not seeded:
        st.caption(f"Your run started from an uploaded checkpoint, whose θ0 is not what seed {settings.seed} gives: "
                   "each new run is stored as starting from a checkpoint of that θ0 at step 0, so its link "
                   "replays it exactly.")
    rules, rates, picked = st.columns(3, gap="medium")
    with rules:
        st.markdown("**The three gradient rules**")
        st.caption(f"document 2(A2 − y), exact MSE J·2(A2 − y) and cross-entropy A2 − y, all at "
                   f"α = {settings.learning_rate:g}.")
        pair = st.checkbox(f"and cross-entropy at 2α = {2 * settings.learning_rate:g}", key="compare_erratum_pair",
                           help="Erratum 1: the document's dZ2 = 2(A2 − y) is twice the cross-entropy gradient, so "
                                "cross-entropy at 2α should retrace the document's rule at α step for step.")
        if st.button("Compare the three rules", key="compare_rules", icon=":material/call_split:"):
            build(lambda: lockstep.gradient_rule_set(settings, pair), "The three gradient rules")
    with rates:
        st.markdown("**Three learning rates**")
        st.caption(f"The rule `{settings.rule}` with three values of α.")
        _, low, high = NUMERIC_RANGES["lr"]
        row = st.columns(3, gap="small")
        chosen = [row[number].number_input(f"α{number + 1}", low, high, rate, format="%g", step=None,
                                           key=f"compare_rate_{number}")
                  for number, rate in enumerate(lockstep.LEARNING_RATE_SET)]
        if st.button("Compare the learning rates", key="compare_rates", icon=":material/speed:"):
            build(lambda: lockstep.learning_rate_set(settings, chosen), "Three learning rates")
    with picked:
        st.markdown("**Runs by link**")
        text = st.text_area("2 to 4 run links or run ids, one per line", key="compare_links", height=90,
                            placeholder="…/train?run=AbC…\n…/train?run=XyZ…",
                            help="Each run's link is in the address bar of its Train screen (?run=…). The runs "
                                 "must have one network shape and stand at one step.")
        if st.button("Compare these runs", key="compare_picked", icon=":material/link:"):
            opened, problems = comparison.open_link(handle, data, text)
            if opened is None:
                shown = " The comparison below is unchanged." if state.comparison is not None else ""
                st.error(f"**These runs cannot be compared:** {'; '.join(problems)}.{shown}", icon=":material/error:")
            else:
                replace_comparison(opened)
                st.rerun()


# --- the runs in lockstep --------------------------------------------------------------------------


def control_buttons(ready: bool) -> int:
    """Step, Step ×100, Run to end of epoch; returns how many steps were asked for."""
    shown = state.comparison
    row = st.container(horizontal=True)
    asked = 0
    if row.button("Step", type="primary", key="compare_step_1", disabled=not ready):
        asked = 1
    if row.button("Step ×100", key="compare_step_100", disabled=not ready):
        asked = 100
    if row.button("Run to end of epoch", key="compare_run_epoch", icon=":material/play_arrow:", disabled=not ready):
        shown.running = True
    return asked


def run_slice() -> None:
    """Train every run for RUN_SLICE_SECONDS in all, then let the panel draw and rerun: Stop lands in between."""
    shown = state.comparison
    if st.button("Stop", key="compare_stop", icon=":material/stop:"):
        shown.running = False
        st.rerun(scope="fragment")
    live = shown.live()
    deadline = time.perf_counter() + RUN_SLICE_SECONDS / max(len(live), 1)  # the leader's share: the others match it
    shown.train(live[0].steps_to_epoch_end, should_stop=lambda: time.perf_counter() > deadline)
    leader = (shown.live() or shown.trainers)[0]
    st.progress(leader.index / leader.training_size or 1.0,
                text=f"Running epoch {leader.epoch + (leader.index > 0)} for {len(live)} runs: "
                     f"{leader.index or leader.training_size:,} of {leader.training_size:,} samples each")


def position_text(shown: comparison.Comparison) -> str:
    """Where the runs stand: one step for all of them (and where any run stopped)."""
    live = shown.live()
    lead = (live or shown.trainers)[0]
    where = (f"epoch {lead.epoch + 1} begins" if lead.index == 0 else
             f"epoch {lead.epoch + 1} · sample {lead.index:,} of {lead.training_size:,}")
    text = f"{len(live)} run{'s' * (len(live) != 1)} at step {lead.step_count:,} · {where}"
    stopped = [run for run in shown.runs if run.trainer.stopped_reason]
    if stopped:
        text += " · stopped: " + ", ".join(f"{run.label} at step {run.trainer.step_count:,}" for run in stopped)
    return text


def runs_table(shown: comparison.Comparison, silent: list) -> None:
    """One row per run: its colour and name, α now, training and test accuracy, silent units, its own link."""
    lead = (shown.live() or shown.trainers)[0]
    epochs = len(lead.history.epochs)
    this_epoch = lead.history.epoch_seen > 0
    train_header = "training accuracy, this epoch" if this_epoch or not epochs else f"training accuracy, epoch {epochs}"
    test_header = f"test accuracy after epoch {epochs}" if epochs else "test accuracy"
    lines = [f"| run | α | {train_header} | {test_header} | silent units | Train screen |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for run, mask in zip(shown.runs, silent):
        history = run.trainer.history
        train = (history.train_accuracy if this_epoch else history.epochs[-1].train_accuracy if history.epochs
                 else None)
        test = f"{history.epochs[-1].test_accuracy:.1%}" if history.epochs else "after epoch 1"
        if history.epochs and len(history.epochs) != epochs:
            test += f" (epoch {len(history.epochs)})"
        link = f"[open](train?run={run.run_id})" if run.run_id else "not stored yet"
        status = " · **stopped**" if run.trainer.stopped_reason else ""
        train = "–" if train is None or np.isnan(train) else f"{train:.1%}"
        lines.append(f"| <span style='color:{run.colour}'>■■</span> **{run.label}**{status} | "
                     f"{run.trainer.learning_rate:g} | {train} | {test} | {int(mask.sum())} of {len(mask)} | {link} |")
    st.markdown("\n".join(lines), unsafe_allow_html=True)


def own_loss(rule: str) -> tuple[str, str]:
    """(History column, symbol) of the loss a rule descends: −log A2_y for document and cross-entropy."""
    loss = LOSS_OF_RULE[rule]
    return ("cross_entropy" if loss == "cross-entropy" else "loss"), LOSS_SYMBOLS[loss]


def run_curves(run: comparison.ComparedRun) -> compare_figures.RunCurves:
    history = run.trainer.history
    column, symbol = own_loss(run.trainer.settings.rule)
    correct = History.SERIES.index("correct")
    own = figures.training_curves(history.bins, History.SERIES.index(column), correct, history.test_accuracy)
    mse = figures.training_curves(history.bins, History.SERIES.index("loss"), correct, history.test_accuracy)
    silent_steps, silent = run.tracked.silent_along()
    distance_steps, distance = run.tracked.distance_along()
    return compare_figures.RunCurves(
        run.label, run.colour, symbol, own, mse, [summary.epoch + 1 for summary in history.epochs],
        [summary.test_accuracy for summary in history.epochs], silent_steps, silent, distance_steps, distance)


def curves(shown: comparison.Comparison) -> None:
    curves_of_runs = [run_curves(run) for run in shown.runs]
    hidden = shown.trainers[0].params.hidden
    st.plotly_chart(compare_figures.comparison_curves(curves_of_runs, hidden), key="compare_curves")
    descending = {}
    for run in shown.runs:
        descending.setdefault(LOSS_SYMBOLS[LOSS_OF_RULE[run.trainer.settings.rule]], []).append(run.label)
    own = "; ".join(f"{symbol} for {', '.join(labels)}" for symbol, labels in descending.items())
    st.caption(f"Own loss: {own}. The loss and accuracy curves are means over the last "
               f"{curves_of_runs[0].mse.window:,} steps. Silent units (Z1 ≤ 0 on all of the first 1,000 test images) "
               "and ‖θ − θ0‖ are measured at the runs' saved snapshots and now.")


def weights(shown: comparison.Comparison, silent: list) -> None:
    """W1 of every run at this step, a row per run, unit k under unit k, on one colour scale."""
    W1s = [trainer.params.W1 for trainer in shown.trainers]
    limit = max(figures.symmetric_limit(W1) for W1 in W1s)
    step = shown.step_count()
    rows = compare_figures.weight_rows(W1s, silent, limit)
    rows[-1] = figures.with_colour_strip(rows[-1], limit)
    with st.container(gap="small"):
        for run, mask, image in zip(shown.runs, silent, rows):
            units = np.flatnonzero(mask) + 1
            note = (f" · silent (grey frame): unit{'s' * (len(units) > 1)} {', '.join(map(str, units))}"
                    if 0 < len(units) <= 12 else f" · {len(units)} of {len(mask)} units silent (grey frame)"
                    if len(units) else "")
            st.markdown(f"<span style='color:{run.colour}'>■■</span> **{run.label}**: W1 at step {step:,}{note}",
                        unsafe_allow_html=True)
            widgets.picture(figures.png(image), output_format="PNG", width="stretch",
                            alt=f"W1 of {run.label} at step {step:,}: the 28×28 templates of its {len(mask)} hidden "
                                f"units, blue for negative and red for positive, from −{limit:.2g} to +{limit:.2g}")
    st.caption(f"Every run's W1 on one colour scale: −{limit:.2g} (blue) · 0 (white) · +{limit:.2g} (red); "
               "unit k of each run under unit k of the others.")


@st.fragment
def lockstep_panel() -> None:
    """Reruns alone on every click, so a Step redraws only what a step changes."""
    shown = state.comparison
    problems = shown.problems()
    asked = control_buttons(ready=not problems and bool(shown.live()))
    epochs = [trainer.epoch for trainer in shown.trainers]
    if asked:
        shown.train(asked)
    running = shown.running and not problems and bool(shown.live())
    if running:
        run_slice()
    for notice in shown.take_notices():
        st.warning(notice, icon=":material/link_off:")
    if problems:
        shown.running = False
        st.error("**These runs cannot train in lockstep:** " + "; ".join(problems) + ". Build a new set above.",
                 icon=":material/error:")
    st.markdown(f"#### {position_text(shown)}")
    silent = [trainer.dead_units() for trainer in shown.trainers]
    runs_table(shown, silent)
    if shown.step_count() == 0:
        st.info("Press **Step** to give every run the first training image, or **Run to end of epoch**. Below: "
                "each run's initial W1.", icon=":material/touch_app:")
    elif running:
        # Redrawing six panels of curves after every slice would cost the browser more than the slice's training.
        st.caption("An epoch is running: the table follows it; the curves, the reading and W1 are drawn when it "
                   "ends or you press Stop.")
    else:
        curves(shown)
    if not running:
        sentences = lockstep.reading(shown.trainers, [run.label for run in shown.runs])
        if sentences:
            st.markdown("**What the numbers show**\n\n" + "\n".join(f"- {sentence}" for sentence in sentences))
        weights(shown, silent)
    if [trainer.epoch for trainer in shown.trainers] != epochs or (shown.running and not shown.live()):
        shown.running = False
        st.rerun()  # refresh what lies outside this panel: the plane is drawn at the new step
    if shown.running:
        widgets.rerun_panel()


def links(shown: comparison.Comparison) -> None:
    """How this set was made, and the links that reopen it (and the one before it)."""
    link = shown.link()
    text = shown.origin
    if link:
        query = link.split("?")[1]
        page = (st.context.url or "").split("?")[0]
        shown_link = f"`{page}?{query}`" if page else f"[{query[:40]}…]({link})"
        text += f" This comparison's link reopens every run at its step: {shown_link}"
    else:
        text += " The run store cannot be reached, so these runs are not stored yet and have no link."
    if shown.previous:
        text += f"  \n[Open the previous comparison]({shown.previous})"
    st.caption(text)
    if state.run.run_id in shown.ids:
        st.caption("Your run on the Train screen is one of these runs: training here moves it, and the Train screen "
                   "will show it as stored.")


# --- one plane for all -----------------------------------------------------------------------------


@st.cache_resource(max_entries=1, show_spinner=False)
def evaluation_set():
    """The first 1,000 test images as pixels and labels, shared by every session."""
    mnist = session.dataset()
    return loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, loss_surface.SAMPLES_DEFAULT)


def plane_section(shown: comparison.Comparison) -> None:
    st.subheader("One plane for all the paths")
    st.markdown(
        "The loss on one plane through weight space, c + a·d1 + b·d2, drawn once, with every run's path of saved "
        "snapshots projected on it in the run's colour. A projection can put a path where it is not: beside "
        "each path stand its distance off the plane and its true loss next to the surface's value under it.")
    controls = st.columns(3)
    directions = controls[0].segmented_control(
        "directions", shared_plane.DIRECTIONS, default="pca", key="compare_directions",
        help="pca: the two directions along which all the paths' weights vary most (a centred PCA of the union of "
             "every run's snapshots, biases left out, as in Li et al.'s code); random: two filter-normalised "
             "random directions at the centre (Li et al. 2018)") or "pca"
    centres = (["start"] if shown.shared_start() else []) + [str(number) for number in range(len(shown.runs))]
    centre = controls[1].selectbox(
        "centre c", centres, key="compare_centre",
        format_func=lambda key: "the shared start θ0" if key == "start" else
        f"{shown.runs[int(key)].label}: its current weights")
    first_loss = LOSS_OF_RULE[shown.trainers[0].settings.rule]
    loss = controls[2].selectbox("loss", loss_surface.LOSS_NAMES, loss_surface.LOSS_NAMES.index(first_loss),
                                 key="compare_loss", format_func=lambda name: f"{name}: {LOSS_SYMBOLS[name]}")
    step = shown.step_count()
    centre_params = (shown.trainers[0].initial_params if centre == "start" else shown.trainers[int(centre)].params)
    centre_name = "θ0" if centre == "start" else f"{shown.runs[int(centre)].label} now"
    X, labels = evaluation_set()
    try:
        with st.spinner("Computing the loss on the plane…"):
            result = shown.planes.get((step, directions, centre, loss), lambda: shared_plane.shared_plane(
                [trainer.trajectory() for trainer in shown.trainers], centre_params, X, labels, directions, loss))
    except ValueError as error:
        st.info(f"{error}", icon=":material/info:")
        st.button("Draw the plane at the runs' current step", key="compare_redraw")
        return
    names = [run.label for run in shown.runs]
    colours = [run.colour for run in shown.runs]
    others = [run.label for run in shown.runs if LOSS_OF_RULE[run.trainer.settings.rule] != loss]
    if others:
        st.caption(f"The surface shows {loss} ({LOSS_SYMBOLS[loss]}), which {', '.join(others)} "
                   f"do{'es' * (len(others) == 1)} not descend: those paths need not go downhill on it.")
    redraw = st.container(horizontal=True, vertical_alignment="center")
    redraw.caption(f"Drawn at step {step:,} over a 41×41 grid and the first 1,000 test images. After Step, "
                   "redraw it here:")
    redraw.button("Redraw at the runs' current step", key="compare_redraw", type="tertiary",
                  icon=":material/refresh:")
    z_title = f"mean loss {LOSS_SYMBOLS[loss]}"
    st.plotly_chart(compare_figures.shared_contour(result, names, colours, z_title, centre_name),
                    key="compare_contour")
    if result.explained_variance_ratio is not None:
        claim = ("d1 and d2 are orthonormal (‖d1‖ = ‖d2‖ = 1, d1·d2 = 0, zero on the biases): a and b are "
                 "distances in weight space.")
    else:
        claim = (f"d1 and d2 are filter-normalised at the centre (each unit's direction as long as its weights "
                 f"there; biases zero), not orthogonalised: cosine {result.direction_cosine:+.3f}; one grid unit "
                 f"is ‖d1‖ = {result.direction_norms[0]:.3g}, ‖d2‖ = {result.direction_norms[1]:.3g}.")
    st.caption(f"Centre c = {centre_name} (☆), loss {result.centre_loss:.4f}; dots mark each path's saved "
               f"snapshots, ◆ its end. {claim} The greys stop at a loss of {compare_figures.colour_cap(result):.3g}; "
               "higher ground is drawn in the darkest grey.")
    st.markdown("**Where the picture can be trusted**\n\n"
                + "\n".join(f"- {sentence}" for sentence in shared_plane.plane_reading(result, names)))
    st.plotly_chart(compare_figures.path_honesty(result, names, colours, z_title), key="compare_honesty")
    with st.expander("The same plane in 3-D"):
        st.plotly_chart(compare_figures.shared_surface_3d(result, names, colours, z_title), key="compare_3d")


follow_link()
if state.comparison is None:
    build_section()
    st.info("Build a set above: its runs then train side by side here.", icon=":material/arrow_upward:")
else:
    with st.expander("Build another set (this one stays stored, behind its link)"):
        build_section()
    links(state.comparison)
    lockstep_panel()
    plane_section(state.comparison)

shell.next_screen_link(__file__)
