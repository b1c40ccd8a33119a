"""Take the run home: download this session's run as a Jupyter notebook or a .py script that replays it in numpy.

lab/notebook.py writes them from the run's log; this module only offers the two buttons (on Save &
load, and in the Train screen's menu). The files are built when a button is clicked, from the run
as it is then, in the language the page was shown in (the click is served outside the page's run,
where no language is active).
"""

import streamlit as st

import locales
from lab.notebook import file_name, notebook_bytes, run_export, script_text
from locales import _


def downloads(state, key: str) -> None:
    """The notebook and script download buttons, and a line on what they hold; `key` tells the two screens apart."""
    run = run_export(state)
    if run is None:
        st.caption(_("The run's log cannot be read now (the run store cannot be reached), so it cannot be taken "
                     "home yet; try again in a moment."))
        return
    st.markdown(_(
        "A Jupyter notebook (or the same as a Python script) that replays this run in plain numpy, written like the "
        "design document's code: the data, the initial variables, forward and backward propagation, gradient "
        "descent, then the run's log replayed step by step (with the runs it branched from). At the end it "
        "compares its parameters with the app's and prints **identical**."))
    language = locales.language()

    def built(write):
        def build():
            locales.activate(language)
            return write(run_export(state) or run)
        return build

    row = st.container(horizontal=True)
    row.download_button(_("Download as a notebook"), data=built(notebook_bytes), file_name=file_name(run, ".ipynb"),
                        mime="application/x-ipynb+json", on_click="ignore", icon=":material/download:",
                        key=f"{key}_notebook")
    row.download_button(_("Download as a .py script"), data=built(lambda export: script_text(export).encode("utf-8")),
                        file_name=file_name(run, ".py"), mime="text/x-python", on_click="ignore",
                        icon=":material/code:", key=f"{key}_script")
    st.caption(_("It needs numpy, matplotlib and the four MNIST files, and imports nothing of Backprop Lab. "
                 "About 0.2 MB for the default network, however long the run."))
