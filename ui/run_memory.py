"""The browser tab remembers its run, so a server restart under an open tab cannot lose it.

After the server restarts, the tab reconnects into a new server session. If the learner's next click
is on the navigation, Streamlit sends the new page with no query string: the new session sees no
?run= and would start a fresh run, and the tab would show step 0. This component keeps the tab's run
id in the page's memory (a window property: it lives as long as the loaded page, so a reload, a new
tab or a typed address without ?run= still start as the URL says) and hands it back to a session that
started a fresh run without a link, before anything was trained in it.
"""

import streamlit as st

from locales import _, number
from ui import browser_memory

JS = """
export default function(component) {
  const { data, setTriggerValue } = component;
  const memory = window.__backpropLab || (window.__backpropLab = {});
  if (data.adoptable && memory.run && memory.run !== data.run) {
    setTriggerValue("lost_run", memory.run);
    return;
  }
  if (data.run) memory.run = data.run;
}
"""  # i18n: not text (JavaScript)

_component = st.components.v2.component("backprop_run_memory", js=JS)


def offer_remembered_run(state) -> None:
    """The bare address in a browser that has a run: that run first, with a notice saying how to start afresh.

    Only for the bare address (a language at most): a link with settings asks for a fresh run with them,
    and a class's links say themselves what they open.
    """
    if not state.started_without_link() or set(st.query_params) - {"lang"}:
        return
    remembered = browser_memory.remembered_run()
    if remembered is None or remembered == state.run.run_id:
        return
    state.reopen(remembered)
    if state.run.run_id == remembered:
        state.notices.append(_("This browser's last run is open again, at step {step}. To start afresh: Reset on the "
                               "Train screen.").format(step=number(state.trainer.sgd_steps)))
    st.rerun()


def keep_run_in_tab(state) -> None:
    """Mount the memory; if this session started fresh only because the link was dropped, reopen the tab's run."""
    result = _component(data={"run": state.run.run_id, "adoptable": state.started_without_link()},
                        key="backprop_run_memory", on_lost_run_change=lambda: None)
    lost_run = getattr(result, "lost_run", None) if result is not None else None
    if lost_run and state.started_without_link():
        state.reopen(lost_run)
        st.rerun()
