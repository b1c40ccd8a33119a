"""Save & load: download this session's whole training run as a checkpoint, upload one to continue."""

import re

import streamlit as st

from core.checkpoints import CheckpointError, checkpoint_filename, load_checkpoint, save_checkpoint
from ui import class_views, session, shell, widgets
from ui.session import Session, Upload

shell.require()
st.title("Save & load")
st.markdown(
    "A checkpoint is one `.npz` file holding the whole run: the weights W1, b1, W2, b2 and where "
    "they started, the settings, the position in the training data, the loss and accuracy history "
    "and the weight snapshots. Upload it later (or on another computer) and training continues "
    "exactly where it stopped. Uploaded files are checked in full and never run as code; a file "
    "that is not a good checkpoint is refused and your current model stays as it is.")

state = session.current()
mnist = session.dataset()


def plain(text: str) -> str:
    """Text from an uploaded file (its name, entry names quoted in errors) shown as is, never as Markdown."""
    return re.sub(r"([\\`*_\[\]()#!<>|{}$~])", r"\\\1", text)


def load_upload(state: Session, upload) -> Upload:
    """Replace the session's model with the uploaded one, only if the whole file checks out."""
    try:
        loaded = load_checkpoint(upload.getvalue(), mnist.train_images, mnist.train_labels,
                                 mnist.test_images, mnist.test_labels)
    except CheckpointError as error:
        return Upload(upload.file_id, False, f"**{plain(upload.name)} was not loaded.** {plain(str(error))}"
                                             "\n\nYour current model is unchanged.")
    state.replace_trainer(loaded, upload.getvalue())
    return Upload(upload.file_id, True, f"Loaded **{plain(upload.name)}**: step {loaded.step_count:,}, "
                                        "ready to continue on the Train screen.")


summary = st.empty()  # filled last: an upload below may replace the model
download_column, upload_column = st.columns(2)
with upload_column:
    st.subheader("Upload to continue")
    if class_views.read_only_notice(state):
        upload = None
    elif state.classroom.seat is not None:
        st.info("In a class, every run starts from the lesson's settings and trains here, so your teacher sees "
                "what it did: uploads are switched off.", icon=":material/lock:")
        upload = None
    else:
        upload = st.file_uploader("A checkpoint downloaded from Backprop Lab (.npz)", type=["npz"],
                                  key="checkpoint_upload")
    # The uploaded file stays in the widget across reruns: load each upload once, not on every rerun.
    if upload is None:
        state.last_upload = None
    elif state.last_upload is None or state.last_upload.file_id != upload.file_id:
        state.last_upload = load_upload(state, upload)
    outcome = state.last_upload
    if outcome is not None and outcome.loaded:
        st.success(outcome.message, icon=":material/check_circle:")
    elif outcome is not None:
        st.error(outcome.message, icon=":material/error:")

trainer = state.trainer
summary.markdown(widgets.model_summary(trainer))
widgets.refresh_position(state)  # the sidebar was drawn before the upload was read
with download_column:
    st.subheader("Download")
    st.download_button("Download checkpoint", data=lambda: save_checkpoint(trainer),
                       file_name=checkpoint_filename(trainer), mime="application/zip", on_click="ignore",
                       icon=":material/download:", key="checkpoint_download")
    st.caption(f"`{checkpoint_filename(trainer)}`: the file is built when you click (well under 1 s), "
               "from the model as it is then.")

shell.next_screen_link(__file__)
