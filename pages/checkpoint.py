"""Save & load: download this session's whole training run as a checkpoint, upload one to continue."""

import re

import streamlit as st

from core.checkpoints import CheckpointError, checkpoint_filename, load_checkpoint, save_checkpoint
from core.settings import settings_to_query
from ui import session, shell, widgets

shell.require()
st.title("Save & load")
st.markdown(
    "A checkpoint is one `.npz` file holding the whole run: the weights W1, b1, W2, b2 and where "
    "they started, the settings, the position in the training data, the loss and accuracy history "
    "and the weight snapshots. Upload it later (or on another computer) and training continues "
    "exactly where it stopped. Uploaded files are checked in full and never run as code; a file "
    "that is not a good checkpoint is refused and your current model stays as it is.")

mnist = session.dataset()


def plain(text: str) -> str:
    """Text from an uploaded file (its name, entry names quoted in errors) shown as is, never as Markdown."""
    return re.sub(r"([\\`*_\[\]()#!<>|{}$~])", r"\\\1", text)


def load_upload(upload) -> None:
    """Replace this session's model with the uploaded one, only if the whole file checks out."""
    try:
        loaded = load_checkpoint(upload.getvalue(), mnist.train_images, mnist.train_labels,
                                 mnist.test_images, mnist.test_labels)
    except CheckpointError as error:
        message = f"**{plain(upload.name)} was not loaded.** {plain(str(error))}\n\nYour current model is unchanged."
        st.session_state.checkpoint_outcome = ("error", message)
        return
    st.session_state.trainer = loaded
    st.session_state.pop("running", None)
    st.query_params.update(settings_to_query(loaded.settings))
    message = f"Loaded **{plain(upload.name)}**: step {loaded.step_count:,}, ready to continue on the Train screen."
    st.session_state.checkpoint_outcome = ("success", message)


summary = st.empty()  # filled last: an upload below may replace the model
download_column, upload_column = st.columns(2)
with upload_column:
    st.subheader("Upload to continue")
    upload = st.file_uploader("A checkpoint downloaded from Backprop Lab (.npz)", type=["npz"],
                              key="checkpoint_upload")
    # The uploaded file stays in the widget across reruns: load each upload once, not on every rerun.
    if upload is not None and upload.file_id != st.session_state.get("checkpoint_loaded_id"):
        st.session_state.checkpoint_loaded_id = upload.file_id
        load_upload(upload)
    if upload is None:
        st.session_state.pop("checkpoint_loaded_id", None)
        st.session_state.pop("checkpoint_outcome", None)
    outcome = st.session_state.get("checkpoint_outcome")
    if outcome is not None:
        kind, message = outcome
        if kind == "error":
            st.error(message, icon=":material/error:")
        else:
            st.success(message, icon=":material/check_circle:")

trainer = session.trainer()
summary.markdown(widgets.model_summary(trainer))
widgets.refresh_position(trainer)  # the sidebar was drawn before the upload was read
with download_column:
    st.subheader("Download")
    st.download_button("Download checkpoint", data=lambda: save_checkpoint(trainer),
                       file_name=checkpoint_filename(trainer), mime="application/zip", on_click="ignore",
                       icon=":material/download:", key="checkpoint_download")
    st.caption(f"`{checkpoint_filename(trainer)}`: the file is built when you click (well under 1 s), "
               "from the model as it is then.")
