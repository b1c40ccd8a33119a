"""The app's shell: every screen in one navigation, page set-up, the shared dataset, the sidebar.

app.py calls start() and runs the chosen screen. Each screen's first line calls require(), which
does nothing when app.py has just run start().

Why require() exists: a folder named pages/ beside app.py makes Streamlit begin each server process
in its legacy multipage mode, which runs app.py, or a screen's file directly, as a page of a
navigation of its own, until some run reaches st.navigation. A screen's file run directly would get
no navigation, page set-up or sidebar, and, worse, its widgets would get other ids than in every
later run (Streamlit puts the hash of the page being run into each widget's id, and app.py's
navigation runs the screen under its own page's hash): the first form a server's first visitor
submitted (often the teacher, right after `make run`) came back with ids no widget had, so its
values and its submit click were dropped and the form showed again, empty. require() runs such a
screen through app.py's navigation instead (its st.navigation call also ends the legacy mode for
the whole process), so every widget a person sees has the ids it keeps.
"""

from pathlib import Path

import streamlit as st

from locales import _
from lab import classroom
from ui import browser_memory, class_views, language, session, widgets
from ui.run_memory import keep_run_in_tab, offer_remembered_run

# A local icon: a ":material/…:" page icon is drawn by the browser from a font on the internet,
# and the app is used offline in labs.
FAVICON = Path(__file__).resolve().parent.parent / "assets" / "favicon.png"

# Streamlit pads its wide layout 5rem a side, a fifth of a 1024-px laptop's main area: narrower
# padding there keeps charts, metrics and labels whole. A wide equation scrolls in its column
# instead of being cut off.
LAYOUT_CSS = """<style>
@media (min-width: 640px) and (max-width: 1280px) {
  [data-testid="stMainBlockContainer"] { padding: 3rem 1.5rem 6rem; }
  .katex-display > .katex { font-size: 1em; }
}
.katex-display { overflow-x: auto; overflow-y: hidden; }
/* Streamlit's code colours numbers #29b09d, 2.5:1 on the code block's grey: a darker teal reads at 4.5:1. */
[data-testid="stCode"] .token.number, [data-testid="stCode"] .token.boolean { color: #0f7a6b; }
/* Inline code in a caption is drawn green at the caption's 60% opacity, 3:1; the caption's own colour reads. */
[data-testid="stCaptionContainer"] code { color: inherit; }
/* A long link label (Home's link to the errata) or chosen option (Teach's tasks) wraps on a phone
   instead of ending in "…" or off the screen's edge. */
[data-testid="stPageLink-NavLink"] span, [data-testid="stMultiSelectTagsContainer"] span {
  white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stMultiSelectTagsContainer"] [data-baseweb="tag"] { height: auto; }
</style>"""

# Streamlit folds the sidebar away after a navigation click only for a phone's user agent; a narrow
# window or a tablet kept it open over the chosen screen. Where the open sidebar covers the main
# area, fold it after the click too (once per page load: the listener is on the document).
FOLD_SIDEBAR_SCRIPT = """<script>
if (!window.backpropLabFoldsSidebar) {
  window.backpropLabFoldsSidebar = true;
  document.addEventListener("click", event => {
    if (!event.target.closest('[data-testid="stSidebarNav"] a')) return;
    setTimeout(() => {
      const sidebar = document.querySelector('[data-testid="stSidebar"]');
      const main = document.querySelector('[data-testid="stMain"]');
      if (sidebar && main && sidebar.dataset.collapsed === "false"
          && sidebar.getBoundingClientRect().right > main.getBoundingClientRect().left + 1)
        document.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click();
    }, 300);
  }, true);
}
</script>"""


def screens(hidden=frozenset(), student: bool = False) -> dict:
    """Every screen of the app, by section, in the order a learner meets them; less the `hidden` url paths.

    The class's screen is "Teach" for a teacher and "Your class" for a student in one.
    """
    sections = {
        _("Start"): [
            st.Page("pages/lab.py", title=_("Lab"), icon=":material/school:"),  # the guided path, for a learner alone
            st.Page("pages/home.py", title=_("Home"), icon=":material/home:", default=True),
            st.Page("pages/dataset.py", title=_("Data"), icon=":material/grid_on:"),
        ],
        _("The network"): [
            st.Page("pages/forward.py", title=_("Forward pass"), icon=":material/arrow_forward:"),
            st.Page("pages/train.py", title=_("Train"), icon=":material/model_training:"),
            st.Page("pages/weights.py", title=_("Weights"), icon=":material/grid_view:"),
            st.Page("pages/gradients.py", title=_("Gradients"), icon=":material/trending_down:"),
            st.Page("pages/errata.py", title=_("Errata"), icon=":material/rule:"),
            st.Page("pages/loss_surface.py", title=_("Loss surface"), icon=":material/landscape:"),
        ],
        _("Try it"): [
            st.Page("pages/draw.py", title=_("Draw"), icon=":material/draw:"),
            st.Page("pages/evaluate.py", title=_("Evaluate"), icon=":material/fact_check:"),
            st.Page("pages/checkpoint.py", title=_("Save & load"), icon=":material/save:"),
            st.Page("pages/compare.py", title=_("Compare"), icon=":material/compare_arrows:"),
        ],
        _("Class"): [
            st.Page("pages/teach.py", title=_("Your class") if student else _("Teach"), icon=":material/groups:"),
        ],
    }
    shown = {name: [page for page in pages if page.url_path not in hidden] for name, pages in sections.items()}
    return {name: pages for name, pages in shown.items() if pages}


def shown_screens() -> dict:
    """The screens this session's navigation holds: a class may leave some out for its students."""
    state = session.existing()
    if state is None:
        return screens()
    return screens(state.classroom.hidden_screens(), state.classroom.seat is not None)


def start():
    """Set up the page, the navigation, the dataset, this session's trainer and the sidebar."""
    # "auto" starts with the sidebar collapsed on a phone; Streamlit collapses it after a navigation
    # click on a mobile device too.
    st.set_page_config(page_title="Backprop Lab", page_icon=str(FAVICON), layout="wide",
                       initial_sidebar_state="auto")
    language.start_run()  # before any text: the navigation's titles are translated too
    st.html(LAYOUT_CSS)
    st.html(FOLD_SIDEBAR_SCRIPT, unsafe_allow_javascript=True)
    navigation = st.navigation(shown_screens(), expanded=True)  # every screen listed: no "View more" hiding the last
    mnist = session.dataset_or_stop()
    state = session.current()
    offer_remembered_run(state)  # before the URL is written from the session: it asks what the address held
    language.keep(state)
    if classroom.follow(state, st.query_params.to_dict):
        st.rerun()  # the navigation was drawn for a learner in no class (or another)
    session.keep_in_url(state)
    keep_run_in_tab(state)
    browser_memory.keep(state)
    widgets.sidebar(mnist, state)
    class_views.banner(state)
    state.note_shell(True)
    return navigation


def require() -> None:
    """A screen's first call: nothing when app.py has just drawn the shell for this run.

    Otherwise Streamlit's legacy pages/ mode is running the screen's file by itself (see above): the
    screen is run once more, through app.py's navigation, as every later run will draw it, and this
    direct run ends there, before it draws a widget under ids no later run would give it.
    """
    state = session.existing()
    if state is None or not state.shell_drawn:
        start().run()  # start() stops the run with a message if MNIST cannot be had, before any trainer is made
        st.stop()
    session.current().note_shell(False)


def next_screen(page_file: str) -> st.Page:
    """The screen after `page_file` in the navigation's order; Home after the last.

    Every screen's url path is its file's stem except the default one's, which is "": a file that
    matches no url path is the default screen.
    """
    pages = [page for section in shown_screens().values() for page in section]
    stem = Path(page_file).stem
    current = next((number for number, page in enumerate(pages) if page.url_path == stem),
                   next(number for number, page in enumerate(pages) if page.url_path == ""))
    return pages[(current + 1) % len(pages)]


def next_screen_link(page_file: str) -> None:
    """A screen's last call: a link to the next screen in the navigation, so a learner can read on."""
    following = next_screen(page_file)
    st.divider()
    label = (_("Back to the start: {screen}") if following.url_path == "" else _("Next: {screen}")).format(
        screen=following.title)
    st.page_link(following, label=label, icon=":material/arrow_forward:")
