"""Save & load: download this session's whole training run as a checkpoint, upload one to continue."""

import re

import streamlit as st

import locales
from core.record.checkpoints import CheckpointError, checkpoint_filename, load_checkpoint, save_checkpoint
from locales import _, number
from locales.words import said
from lab.session import Session, Upload
from ui import class_views, session, shell, take_home, widgets

shell.require()
st.title(_("Save & load"))
st.markdown(_(
    "A checkpoint is one `.npz` file holding the whole run: the weights W1, b1, W2, b2 and where "
    "they started, the settings, the position in the training data, the loss and accuracy history "
    "and the weight snapshots. Upload it later (or on another computer) and training continues "
    "exactly where it stopped. Uploaded files are checked in full and never run as code; a file "
    "that is not a good checkpoint is refused and your current model stays as it is."))

state = session.current()
mnist = session.dataset()


def plain(text: str) -> str:
    """Text from an uploaded file (its name, entry names quoted in errors) shown as is, never as Markdown."""
    return re.sub(r"([\\`*_\[\]()#!<>|{}$~])", r"\\\1", text)


SHOWN_KEY = "checkpoint_upload_shown"  # (file id, language, step loaded or None) of the message shown


def refusal(upload, error: CheckpointError) -> str:
    return _("**{name} was not loaded.** {reason}\n\nYour current model is unchanged.").format(
        name=plain(upload.name), reason=plain(said(error)))


def loaded_message(upload, step: int) -> str:
    return _("Loaded **{name}**: step {step}, ready to continue on the Train screen.").format(
        name=plain(upload.name), step=number(step))


def load_upload(state: Session, upload) -> Upload:
    """Replace the session's model with the uploaded one, only if the whole file checks out."""
    try:
        loaded = load_checkpoint(upload.getvalue(), mnist.train_images, mnist.train_labels,
                                 mnist.test_images, mnist.test_labels)
    except CheckpointError as error:
        st.session_state[SHOWN_KEY] = (upload.file_id, locales.language(), None)
        return Upload(upload.file_id, False, refusal(upload, error))
    state.replace_trainer(loaded, upload.getvalue())
    st.session_state[SHOWN_KEY] = (upload.file_id, locales.language(), loaded.sgd_steps)
    return Upload(upload.file_id, True, loaded_message(upload, loaded.sgd_steps))


def in_this_language(outcome: Upload, upload) -> Upload:
    """The outcome's message again in the language now chosen, if the learner switched since the upload.

    A refusal is found again by checking the file once more (the current model is never touched).
    """
    file_id, language, step = st.session_state.get(SHOWN_KEY, (None, None, None))
    if upload is None or file_id != outcome.file_id or language == locales.language():
        return outcome
    if outcome.loaded:
        message = loaded_message(upload, step)
    else:
        try:
            load_checkpoint(upload.getvalue(), mnist.train_images, mnist.train_labels,
                            mnist.test_images, mnist.test_labels)
            return outcome
        except CheckpointError as error:
            message = refusal(upload, error)
    st.session_state[SHOWN_KEY] = (file_id, locales.language(), step)
    return Upload(outcome.file_id, outcome.loaded, message)


summary = st.empty()  # filled last: an upload below may replace the model
download_column, upload_column = st.columns(2)
with upload_column:
    st.subheader(_("Upload to continue"))
    if class_views.read_only_notice(state):
        upload = None
    elif state.classroom.seat is not None:
        st.info(_("In a class, every run starts from the lesson's settings and trains here, so your teacher sees "
                  "what it did: uploads are switched off."), icon=":material/lock:")
        upload = None
    else:
        upload = st.file_uploader(_("A checkpoint downloaded from Backprop Lab (.npz)"), type=["npz"],
                                  key="checkpoint_upload")
    # The uploaded file stays in the widget across reruns: load each upload once, not on every rerun.
    if upload is None:
        state.keep_upload(None)
    elif state.last_upload is None or state.last_upload.file_id != upload.file_id:
        state.keep_upload(load_upload(state, upload))
    elif state.last_upload is not None:
        state.keep_upload(in_this_language(state.last_upload, upload))
    outcome = state.last_upload
    if outcome is not None and outcome.loaded:
        st.success(outcome.message, icon=":material/check_circle:")
    elif outcome is not None:
        st.error(outcome.message, icon=":material/error:")

trainer = state.trainer
summary.markdown(widgets.model_summary(trainer))
widgets.refresh_position(state)  # the sidebar was drawn before the upload was read
with download_column:
    st.subheader(_("Download"))
    st.download_button(_("Download checkpoint"), data=lambda: save_checkpoint(trainer),
                       file_name=checkpoint_filename(trainer), mime="application/zip", on_click="ignore",
                       icon=":material/download:", key="checkpoint_download")
    st.caption(_("`{file}`: the file is built when you click (well under 1 s), from the model as it is then.").format(
        file=checkpoint_filename(trainer)))

st.subheader(_("Take the run home"))
take_home.downloads(state, "save_load")

shell.next_screen_link(__file__)
