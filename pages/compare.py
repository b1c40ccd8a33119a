"""Compare: 2 to 4 runs from one start, trained in lockstep, side by side and on one loss plane."""

import dataclasses
import time

import streamlit as st

from core.surface import loss_surface, shared_plane
from core.surface.settings import LOSS_OF_RULE
from core.training import lockstep
from core.training.settings import NUMERIC_RANGES
from lab import comparison
from locales import N_, _, ngettext, number
from locales.words import init_name, loss_name, rule_name, run_label, said
from ui import (class_views, compare_figures, compare_panel, compare_reading, compare_views, session, shell,
                surface_panel, widgets)

# Training per rerun while running an epoch, all runs together: the panel redraws and Stop is heard between
# slices. Twice the Train screen's 0.2 s: each slice's rerun and redraw cost the same however many runs it trains.
RUN_SLICE_SECONDS = 0.4
DIRECTION_NAMES = {"pca": N_("pca"), "random": N_("random")}

shell.require()
st.title(_("Compare"))
st.markdown(_(
    "Two to four runs from one start, trained **in lockstep**: every click gives each run the same next "
    "training images in the same order, so any difference between them comes from the one setting that "
    "differs. From the same initial weights, how do the document's rule, the exact MSE gradient and "
    "cross-entropy move through the same landscape? Which learning rate silences the hidden units?"))

state = session.current()
handle, data = state.run.handle, state.run.data


def replace_comparison(new: comparison.Comparison) -> None:
    """Show `new` from now on; the one it replaces stays stored, behind a link."""
    state.replace_comparison(new)


def follow_link() -> None:
    """Open the comparison ?compare= names unless it is the one shown; a bad value gets a message and changes nothing."""
    requested = st.query_params.get(comparison.QUERY_KEY)
    shown = state.comparison
    if requested is not None and (shown is None or requested != shown.query_value()):
        opened, problems = comparison.open_link(handle, data, requested)
        if opened is not None:
            replace_comparison(opened)
        else:
            kept = (_("The comparison on this screen is unchanged.") if shown is not None else
                    _("Build a set of runs below, or paste the runs' own links."))
            st.error(_("**The comparison in this link cannot be opened:** {problems}. {kept}").format(
                problems=compare_views.listed(problems), kept=kept), icon=":material/link_off:")
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
        for settings in chosen:  # in a class, a set that changes a locked setting would walk around the lock
            state.classroom.check_changes(dataclasses.asdict(settings))
    except ValueError as error:
        st.error(_("**That set cannot be built:** {error}. Nothing was changed.").format(error=said(error)),
                 icon=":material/error:")
        return
    replace_comparison(comparison.from_start(handle, data, state.trainer, chosen, what))
    st.rerun()


def build_section() -> None:
    """The three ways to make a set: the gradient rules, the learning rates, runs picked by link."""
    trainer = state.trainer
    settings = trainer.settings
    seeded = lockstep.starts_from_seed(trainer)
    start = (_("seed {seed}, {init} initialisation").format(seed=settings.seed, init=init_name(settings.init)) if seeded else
             _("the initial weights your uploaded checkpoint carries"))
    rate = number(settings.learning_rate, "g")
    st.markdown(_(
        "The first two sets start new runs from the initial weights θ0 of your run on the Train screen "
        "(784 → {hidden} → 10, {start}; α = {rate}, the {rule} rule, halving every {period} epochs). Each is a stored "
        "run with its own link; your run on the Train screen is not changed.").format(
            hidden=settings.hidden, start=start, rate=rate, rule=rule_name(settings.rule), period=settings.decay_period))
    if not seeded:
        st.caption(_("Your run started from an uploaded checkpoint, whose θ0 is not what seed {seed} gives: each new "
                     "run is stored as starting from a checkpoint of that θ0 at step 0, so its link replays it "
                     "exactly.").format(seed=settings.seed))
    rules, rates, picked = st.columns(3, gap="medium")
    with rules:
        st.markdown(_("**The three gradient rules**"))
        st.caption(_("document 2(A2 − y), exact MSE J·2(A2 − y) and cross-entropy A2 − y, all at α = {rate}.").format(
            rate=rate))
        pair = st.checkbox(_("and cross-entropy at 2α = {rate}").format(rate=number(2 * settings.learning_rate, "g")),
                           key="compare_erratum_pair",
                           help=_("Erratum 1: the document's dZ2 = 2(A2 − y) is twice the cross-entropy gradient, "
                                  "so cross-entropy at 2α should retrace the document's rule at α step for step."))
        if st.button(_("Compare the three rules"), key="compare_rules", icon=":material/call_split:",
                     disabled=state.classroom.locked("rule"), help=class_views.locked_help(state, "rule")):
            build(lambda: lockstep.gradient_rule_set(settings, pair), N_("The three gradient rules"))
    with rates:
        st.markdown(_("**Three learning rates**"))
        st.caption(_("The {rule} rule with three values of α.").format(rule=rule_name(settings.rule)))
        low, high = NUMERIC_RANGES["lr"][1:]
        row = st.columns(3, gap="small")
        chosen = [row[place].number_input(f"α{place + 1}", low, high, rate, format="%g", step=None,
                                          key=f"compare_rate_{place}")
                  for place, rate in enumerate(lockstep.LEARNING_RATE_SET)]
        if st.button(_("Compare the learning rates"), key="compare_rates", icon=":material/speed:",
                     disabled=state.classroom.locked("learning_rate"),
                     help=class_views.locked_help(state, "learning_rate")):
            build(lambda: lockstep.learning_rate_set(settings, chosen), N_("Three learning rates"))
    with picked:
        st.markdown(_("**Runs by link**"))
        text = st.text_area(_("2 to 4 run links or run ids, one per line"), key="compare_links", height=90,
                            placeholder="…/train?run=AbC…\n…/train?run=XyZ…",  # i18n: not text
                            help=_("Each run's link is in the address bar of its Train screen (?run=…). The runs "
                                   "must have one network shape and stand at one step."))
        if st.button(_("Compare these runs"), key="compare_picked", icon=":material/link:"):
            opened, problems = comparison.open_link(handle, data, text)
            if opened is None:
                problems = compare_views.listed(problems)
                st.error(_("**These runs cannot be compared:** {problems}. The comparison below is unchanged.").format(
                    problems=problems) if state.comparison is not None else
                    _("**These runs cannot be compared:** {problems}.").format(problems=problems),
                    icon=":material/error:")
            else:
                replace_comparison(opened)
                st.rerun()


# --- the runs in lockstep --------------------------------------------------------------------------


def control_buttons(ready: bool) -> int:
    """Step, Step ×100, Run to end of epoch; returns how many steps were asked for."""
    shown = state.comparison
    row = st.container(horizontal=True)
    asked = 0
    if row.button(_("Step"), type="primary", key="compare_step_1", disabled=not ready):
        asked = 1
    if row.button(_("Step ×100"), key="compare_step_100", disabled=not ready):
        asked = 100
    if row.button(_("Run to end of epoch"), key="compare_run_epoch", icon=":material/play_arrow:",
                  disabled=not ready):
        shown.start_running()
    return asked


def running_controls() -> None:
    """Stop, and the epoch's progress while it runs in slices."""
    shown = state.comparison
    if st.button(_("Stop"), key="compare_stop", icon=":material/stop:"):
        shown.stop_running()
        st.rerun(scope="fragment")
    leader = (shown.live() or shown.trainers)[0]
    st.progress(leader.index / leader.training_size or 1.0,
                text=_("Running epoch {epoch} for {runs} runs: {seen} of {size} samples each").format(
                    epoch=leader.epoch + (leader.index > 0), runs=len(shown.live()),
                    seen=number(leader.index or leader.training_size), size=number(leader.training_size)))


def run_slice() -> None:
    """Train every run for RUN_SLICE_SECONDS in all, then let the panel rerun: Stop lands in between."""
    shown = state.comparison
    live = shown.live()
    deadline = time.perf_counter() + RUN_SLICE_SECONDS / max(len(live), 1)  # the leader's share: the others match it
    shown.train(live[0].steps_to_epoch_end, should_stop=lambda: time.perf_counter() > deadline)


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
        running_controls()
    for notice in shown.take_notices():
        st.warning(said(notice), icon=":material/link_off:")
    if problems:
        shown.stop_running()
        st.error(_("**These runs cannot train in lockstep:** {problems}. Build a new set above.").format(
            problems=compare_views.listed(problems)), icon=":material/error:")
    st.markdown(f"#### {compare_views.position_text(shown)}")
    # the table, the curves, the reading and W1, drawn in the browser from what changed
    compare_panel.show(shown, [trainer.dead_units() for trainer in shown.trainers], running)
    if running:
        # Train after drawing: a rerun drops what Streamlit has not yet sent, and the slice gives it time to go.
        run_slice()
    if [trainer.epoch for trainer in shown.trainers] != epochs or (shown.running and not shown.live()):
        shown.stop_running()
        st.rerun()  # refresh what lies outside this panel: the plane is drawn at the new step
    if shown.running:
        widgets.rerun_panel()


def links(shown: comparison.Comparison) -> None:
    """How this set was made, and the links that reopen it (and the one before it)."""
    link = shown.link()
    text = said(shown.origin)
    if link:
        query = link.split("?")[1]
        page = (st.context.url or "").split("?")[0]
        shown_link = f"`{page}?{query}`" if page else f"[{query[:40]}…]({link})"
        text += " " + _("This comparison's link reopens every run at its step: {link}").format(link=shown_link)
    else:
        text += " " + _("The run store cannot be reached, so these runs are not stored yet and have no link.")
    if shown.previous:
        text += "  \n" + _("[Open the previous comparison]({link})").format(link=shown.previous)
    st.caption(text)
    if state.run.run_id in shown.ids:
        st.caption(_("Your run on the Train screen is one of these runs: training here moves it, and the Train screen "
                     "will show it as stored."))


# --- one plane for all -----------------------------------------------------------------------------


@st.cache_resource(max_entries=1, show_spinner=False)
def evaluation_set():
    """The first 1,000 test images as pixels and labels, shared by every session."""
    mnist = session.dataset()
    return loss_surface.evaluation_set(mnist.test_images, mnist.test_labels, loss_surface.SAMPLES_DEFAULT)


def plane_section(shown: comparison.Comparison) -> None:
    st.subheader(_("One plane for all the paths"))
    st.markdown(_(
        "The loss on one plane through weight space, c + a·d1 + b·d2, drawn once, with every run's path of saved "
        "snapshots projected on it in the run's colour. A projection can put a path where it is not: beside "
        "each path stand its distance off the plane and its true loss next to the surface's value under it."))
    controls = st.columns(3)
    # Options' display text is looked up, not translated, in format_func: the text is made in this run's language
    # here, and a format_func may be called outside the run (AppTest calls it in its own thread).
    direction_names = {name: _(DIRECTION_NAMES[name]) for name in shared_plane.DIRECTIONS}
    directions = controls[0].segmented_control(
        _("directions"), shared_plane.DIRECTIONS, default="pca", key="compare_directions",
        format_func=direction_names.get,
        help=_("pca: the two directions along which all the paths' weights vary most (a centred PCA of the union of "
               "every run's snapshots, biases left out, as in Li et al.'s code); random: two filter-normalised "
               "random directions at the centre (Li et al. 2018)")) or "pca"
    centre_names = {str(place): _("{run}: its current weights").format(run=run_label(run))
                    for place, run in enumerate(shown.runs)}
    if shown.shared_start():
        centre_names = {"start": _("the shared start θ0"), **centre_names}
    centre = controls[1].selectbox(_("centre c"), list(centre_names), key="compare_centre",
                                   format_func=centre_names.get)
    first_loss = LOSS_OF_RULE[shown.trainers[0].settings.rule]
    loss_names = {name: f"{loss_name(name)}: {compare_views.LOSS_SYMBOLS[name]}" for name in loss_surface.LOSS_NAMES}
    loss = controls[2].selectbox(_("loss"), loss_surface.LOSS_NAMES, loss_surface.LOSS_NAMES.index(first_loss),
                                 key="compare_loss", format_func=loss_names.get)
    step = shown.step_count()
    centre_params = (shown.trainers[0].initial_params if centre == "start" else shown.trainers[int(centre)].params)
    centre_name = "θ0" if centre == "start" else _("{run} now").format(run=run_label(shown.runs[int(centre)]))
    X, labels = evaluation_set()
    try:
        with st.spinner(_("Computing the loss on the plane…")):
            result = shown.planes.get((step, directions, centre, loss), lambda: shared_plane.shared_plane(
                [trainer.trajectory() for trainer in shown.trainers], centre_params, X, labels, directions, loss))
    except ValueError as error:
        st.info(said(error), icon=":material/info:")
        st.button(_("Draw the plane at the runs' current step"), key="compare_redraw")
        return
    names = [run_label(run) for run in shown.runs]
    colours = [compare_views.colour(run) for run in shown.runs]
    others = [run_label(run) for run in shown.runs if LOSS_OF_RULE[run.trainer.settings.rule] != loss]
    if others:
        st.caption(ngettext(
            "The surface shows {loss} ({symbol}), which {runs} does not descend: those paths need not go downhill on it.",
            "The surface shows {loss} ({symbol}), which {runs} do not descend: those paths need not go downhill on it.",
            len(others)).format(loss=loss, symbol=compare_views.LOSS_SYMBOLS[loss], runs=", ".join(others)))
    redraw = st.container(horizontal=True, vertical_alignment="center")
    redraw.caption(_("Drawn at step {step} over a 41×41 grid and the first 1,000 test images. After Step, redraw it "
                     "here:").format(step=number(step)))
    redraw.button(_("Redraw at the runs' current step"), key="compare_redraw", type="tertiary",
                  icon=":material/refresh:")
    z_title = _("mean loss {symbol}").format(symbol=compare_views.LOSS_SYMBOLS[loss])
    # drawn in the browser by the Loss surface's component (static/surface_runs.js): Compare loads no plotly
    surface_panel.show(compare_figures.plane_blob(result, names, colours, z_title, centre_name, "runs_map"),
                       key="compare_contour")
    if result.explained_variance_ratio is not None:
        claim = _("d1 and d2 are orthonormal (‖d1‖ = ‖d2‖ = 1, d1·d2 = 0, zero on the biases): a and b are "
                  "distances in weight space.")
    else:
        claim = _("d1 and d2 are filter-normalised at the centre (each unit's direction as long as its weights "
                  "there; biases zero), not orthogonalised: cosine {cosine}; one grid unit is ‖d1‖ = {first}, "
                  "‖d2‖ = {second}.").format(cosine=number(result.direction_cosine, "+.3f"),
                                             first=number(result.direction_norms[0], ".3g"),
                                             second=number(result.direction_norms[1], ".3g"))
    st.caption(_("Centre c = {centre} (☆), loss {loss}; dots mark each path's saved snapshots, ◆ its end. {claim} The "
                 "greys stop at a loss of {cap}; higher ground is drawn in the darkest grey.").format(
        centre=centre_name, loss=number(result.centre_loss, ".4f"), claim=claim,
        cap=number(compare_figures.colour_cap(result), ".3g")))
    st.markdown("**" + _("Where the picture can be trusted") + "**\n\n"
                + "\n".join(f"- {sentence}" for sentence in compare_reading.plane_reading(result, names)))
    # side by side on a laptop; Streamlit stacks the columns on a phone
    for column, blob, key in zip(st.columns(2, gap="medium"), compare_figures.honesty_blobs(result, names, colours, z_title),
                                 ("compare_honesty", "compare_distance")):
        with column:
            surface_panel.show(blob, key=key)
    with st.expander(_("The same plane in 3-D")):
        surface_panel.show(compare_figures.plane_blob(result, names, colours, z_title, centre_name, "runs_3d"),
                           key="compare_3d")


follow_link()
if state.comparison is None:
    build_section()
    st.info(_("Build a set above: its runs then train side by side here."), icon=":material/arrow_upward:")
else:
    with st.expander(_("Build another set (this one stays stored, behind its link)")):
        build_section()
    links(state.comparison)
    lockstep_panel()
    plane_section(state.comparison)

shell.next_screen_link(__file__)
