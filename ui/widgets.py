"""Small UI pieces shared by the pages: the sidebar, the position line, notices, image galleries."""

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitInvalidLayoutContextError

import locales
from core.training.stop_note import stop_reason
from core.training.trainer import Trainer
from lab.session import Session
from locales import N_, _, ngettext, number
from locales.words import init_name, rule_name, said
from ui import class_views, figures, language, timeline_panel
from ui.session import current


def picture(image, alt, caption=None, width="content", **options) -> None:
    """st.image that cannot forget its alt text: what each image is and its numbers, for screen readers.

    `image` and `alt` (and `caption`) may be lists, one entry per image.
    """
    if not alt or (isinstance(alt, list) and not all(alt)):
        raise ValueError("every image needs alt text saying what it shows")  # i18n: not text (a programmer's error)
    st.image(image, caption=caption, width=width, alt=alt, **options)


def weight_templates(trainer: Trainer, silent: np.ndarray, title: str | None = None) -> None:
    """W1 as one 28×28 template per hidden unit, silent ones marked, on one stated colour scale."""
    hidden = trainer.params.hidden
    image, limit = figures.weight_template_image(trainer.params.W1, silent)
    step, shown_limit = number(trainer.sgd_steps), number(limit, ".2g")
    title = title or _("The current weights W1 at step {step}").format(step=step)
    caption = (_("{title}: the templates of units 1–{hidden}, 10 per row; −{limit} (blue) · 0 (white) · +{limit} (red); "
                 "\"silent\": off on all of the first 1,000 test images.") if silent.any() else
               _("{title}: the templates of units 1–{hidden}, 10 per row; −{limit} (blue) · 0 (white) · +{limit} (red)."))
    picture(figures.png(image), output_format="PNG",
            alt=_("W1 at step {step}: the 28×28 templates of the {hidden} hidden units, "
                  "blue for negative and red for positive weights, from −{limit} to +{limit}").format(
                step=step, hidden=hidden, limit=shown_limit),
            caption=caption.format(title=title, hidden=hidden, limit=shown_limit))


def reads_dots() -> bool:
    """The language writes 0.1234 and 1,000, as Streamlit's own number formats (printf) do."""
    return locales.symbols(locales.language()) == (".", ",")


def in_language(table, specs):
    """What st.dataframe shows of `table`: the table itself where numbers read 0.1234, else its numbers in the language's signs.

    `specs`: one Python format spec (".4f", ".1e", ".3g", ",") for every column, or {column: spec}.
    A pandas Styler shows each cell through locales.number and keeps it a number (right-aligned,
    sorted as a number), so Greek reads 0,1234 like the prose around the table.
    """
    if reads_dots():
        return table
    specs = specs if isinstance(specs, dict) else dict.fromkeys(table.columns, specs)
    styled = table.style
    for column, spec in specs.items():
        styled = styled.format(lambda value, spec=spec: number(value, spec), subset=[column])
    return styled


def number_columns(specs: dict, help: dict | None = None) -> dict:
    """column_config for {column: Python format spec}: Streamlit's printf format where numbers read 0.1234
    (in_language's Styler writes them elsewhere), and each column's `help`."""
    help, dots = help or {}, reads_dots()
    return {column: st.column_config.NumberColumn(format=f"%{spec}" if dots else None, help=help.get(column))
            for column, spec in specs.items()}


def rerun_panel() -> None:
    """Rerun the panel alone; in a run of the whole page (a learner coming back mid-run) the whole page."""
    try:
        st.rerun(scope="fragment")
    except StreamlitInvalidLayoutContextError:  # only a fragment's own rerun may rerun just the fragment
        st.rerun()


def position_text(trainer: Trainer) -> str:
    """Where training stands, in the words a learner uses: step, epoch, sample, α."""
    if trainer.index == 0:  # no sample of this epoch trained yet: "sample 0 of 60,000" would read as a sample
        where = _("epoch {epoch} begins").format(epoch=trainer.epoch + 1)
    else:
        where = _("epoch {epoch} · sample {sample} of {total}").format(
            epoch=trainer.epoch + 1, sample=number(trainer.index), total=number(trainer.training_size))
    if trainer.drawings:  # steps on drawings are steps, but not samples: say how the count is made of both
        where += " · " + ngettext("{count} drawing", "{count} drawings", trainer.drawings).format(
            count=number(trainer.drawings))
    return _("Step {step} · {where} · α = {alpha}").format(step=number(trainer.sgd_steps), where=where,
                                                          alpha=number(trainer.learning_rate, ".4g"))


def model_summary(trainer: Trainer) -> str:
    settings = trainer.settings
    return _("**Model** 784 → {hidden} → 10 · {rule} rule · {init} initialisation · seed {seed}").format(
        hidden=settings.hidden, rule=rule_name(settings.rule), init=init_name(settings.init), seed=settings.seed) + (
        f"  \n{position_text(trainer)}")


def sidebar(mnist, session: Session) -> None:
    """Dataset status and the model's position; the Train screen refreshes the position in place."""
    trainer = session.trainer
    with st.sidebar:
        language.switch(session)
        st.caption(_("**MNIST** {training} training and {test} test images, checksums verified (source: {source}).")
                   .format(training=number(len(mnist.train_labels)), test=number(len(mnist.test_labels)),
                           source=mnist.source))
        session.keep_position_slot(st.empty())
        refresh_position(session)
        if trainer.stopped_reason:
            st.error(shown_stop_reason(trainer.stopped_reason), icon=":material/warning:")
    for notice in session.take_notices():
        st.warning(said(notice), icon=":material/link_off:")


def shown_stop_reason(note: str | None) -> str | None:
    """Why a trainer stopped (its stopped_reason, saved in English) in this thread's language; None if it did not."""
    reason = stop_reason(note)
    return None if reason is None else said(reason)


def run_links(session: Session) -> str:
    """This run's link (the address bar holds it) and the run before the last Reset or upload."""
    run = session.run
    viewing = session.classroom.viewing
    if viewing is not None:
        return _("**Run** of {name}, open read-only from the class dashboard").format(
            name=class_views.literal(viewing.member.name))
    text = (_("**Run** `{run}…`: saved; its link (in the address bar) reopens it anywhere").format(run=run.run_id[:8])
            if run.run_id else _("**Run** not saved yet (the run store is unreachable)"))
    lineage = timeline_panel.lineage_text(session)
    if lineage:
        text += f"  \n{lineage}"
    if run.previous_run and run.previous_run != run.parent:
        text += "  \n" + _("[Open the previous run](?run={run})").format(run=run.previous_run)
    return text


def store_notice_in_fragment(session: Session) -> None:
    """The store-unreachable notice inside a fragment that reruns alone (a Step click).

    The page's notices are drawn by a full run only, so a learner clicking Step while the store is
    down would not see that the steps are kept in memory, nor the notice go when they are saved.
    A full run draws it with the others (sidebar() above), so it is drawn here only in a fragment run.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from lab.live_run import UNREACHABLE

    # The slot is drawn on every run, notice or not, so the panel after it keeps its place in the page
    # (an element that moves is a new one to the browser, and the panel would lose what it has drawn).
    slot = st.empty()
    context = get_script_run_ctx()
    if context is not None and context.fragment_ids_this_run and UNREACHABLE in session.run.notices:
        slot.warning(said(UNREACHABLE), icon=":material/link_off:")


def refresh_position(session: Session) -> None:
    """(Re)write the sidebar's position line and run links, also from inside a fragment rerun or after an
    upload (which starts a new run after the sidebar was drawn: its id and the link back must show).

    One element, put in the slot's place: a container of elements rewritten from inside the panel's
    fragment sometimes reached the browser as a child of a block it did not have yet, and Streamlit's
    frontend then drew nothing at all ("Cannot set a node at a delta path": a blank page).
    """
    if session.position_slot is not None:
        session.position_slot.caption(f"{model_summary(session.trainer)}\n\n{run_links(session)}")


FOLLOW = {"training": N_("Follow training image #{index} through the network on the Forward pass screen"),
          "test": N_("Follow test image #{index} through the network on the Forward pass screen")}


def forward_pass_gallery(images: list, captions: list[str], alts: list[str], split: str, indices, key: str,
                         columns: int = 8) -> None:
    """Images in rows of `columns`, each as wide as its column, with an "open" button that shows it on Forward pass."""
    items = list(zip(images, captions, alts, indices))
    for first in range(0, len(items), columns):
        for slot, (image, caption, alt, index) in zip(st.columns(columns, gap="xsmall"), items[first:first + columns]):
            with slot:
                picture(image, alt, caption=caption, width="stretch", output_format="PNG")
            if slot.button(_("open"), key=f"{key}_{index}", type="tertiary",
                           help=_(FOLLOW[split]).format(index=number(index))):
                current().open_in_forward(split, int(index))
                st.switch_page("pages/forward.py")
