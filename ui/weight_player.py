"""The Weights screen's player: a small component that plays the weights' history in the browser.

The page sends every frame at once (ui/weight_frames.py builds the bytes); the script and its styles
(static/weight_player.js and the modules beside it, static/weight_player.css) play, scrub and
recolour them without asking the server again, so playback is as smooth as the browser can draw.
They are served from static/ (ui/static_component.py): fetched once, not sent again with every
opening of the screen.
"""

from locales import _, ngettext, number_separators
from runs.errors import StoreError
from ui import static_component, weight_frames
from lab.session import Session

# In a shadow root: the player's styles name plain buttons and selects, and must not reach the page's.
_component = static_component.component("backprop_weight_player", "weight_player.js", isolate_styles=True)


def player_text() -> dict:
    """Every message the player shows, in this session's language, by the name weight_player.js uses.

    gettext runs here, on the server: the script fills each {field} in the browser.
    """
    return {
        "play": _("▶ Play"), "pause": _("❚❚ Pause"), "speed": _("Speed"), "fps": _("{fps} frames/s"),
        "previous": _("Previous frame"), "next": _("Next frame"),
        "show": _("Show"), "colours": _("Colours"), "fixed": _("fixed over the run"), "per_frame": _("per frame"),
        "view_change": _("W1 − W1 at step {step}"), "symbol_change": _("|W1 − W1 at step {step}|"),
        "timeline": _("Step of the frame shown"),
        "accuracy_line": _("The green line on the track: every frame's accuracy on the test set, 0 to 100 %"),
        "silent": _("silent"), "epoch": _("epoch {epoch}"), "step": _("step {step}"), "step_now": _("step {step} (now)"),
        "before_training": _("before training"), "end_of_epoch": _("end of epoch {epoch}"),
        "epoch_sample": _("epoch {epoch} · sample {sample} of {size}"),
        "percent": _("{value}%"), "test_accuracy": _("test accuracy {accuracy}"),
        "frame_count": _("frame {frame} of {frames}"), "valuetext": _("{step}, test accuracy {accuracy}"),
        "title_W1": _("W1 at step {step}: each hidden unit's 784 input weights as a 28×28 image"),
        "title_change": _("{view}, at step {step}: what training has added to each unit's random start"),
        "title_W2": _("W2 at step {step}: hidden unit → digit, and b2"),
        "silent_one": ngettext("; grey veil, “silent”: unit {units} has Z1 ≤ 0 on all of the first {probe} test images",
                               "; grey veil, “silent”: units {units} have Z1 ≤ 0 on all of the first {probe} test images",
                               1),
        "silent_many": ngettext("; grey veil, “silent”: unit {units} has Z1 ≤ 0 on all of the first {probe} test images",
                                "; grey veil, “silent”: units {units} have Z1 ≤ 0 on all of the first {probe} test images",
                                2),
        "colours_aria": _("{title}; blue negative, white 0, red positive{silent}"),
        "percentile": _("{percentile}th percentile of {symbol}"),
        "W1_fixed_all": _("fixed over the run: ±{limit} is the {percentile} over all {frames} frames (the largest is "
                          "{largest}; beyond ±{limit} the colour stays full){silent}."),
        "W1_fixed_one": _("fixed over the run: ±{limit} is the {percentile} over the only frame (the largest is "
                          "{largest}; beyond ±{limit} the colour stays full){silent}."),
        "W1_per_frame": _("per frame: ±{limit} is the {percentile} in this frame, so two frames' colours cannot be "
                          "compared{silent}."),
        "W2_fixed": _("fixed over the run: ±{limit}, the largest |W2| or |b2| of all frames."),
        "W2_per_frame": _("per frame: ±{limit}, the largest |W2| or |b2| in this frame."),
        "legend": _("Blue negative, white 0, red positive; {scale}"),
        "read_W1": _("{unit}, pixel {pixel} (row {row}, column {column}): {view} = {value} at step {step}"),
        "read_W1_rounded": _("{unit}, pixel {pixel} (row {row}, column {column}): {view} = {value} (to ±{precision}, "
                             "as sent to the browser) at step {step}"),
        "read_W2": _("{unit} → digit {digit}: W2 = {value} at step {step}"),
        "read_b2": _("digit {digit}: b2 = {value} at step {step}"),
        "point": _("Point at a pixel of W1 or a cell of W2 to read its value."),
    }


def timeline_frames(state: Session, timeline) -> list:
    """(step, parameters) the run's timeline keeps exactly: its keyframes, spread over the run, and the step viewed."""
    start = timeline.keyframes.frames[0].sgd_steps
    frames = [(start + keyframe.position, keyframe.params) for keyframe in timeline.keyframes.frames]
    view = state.viewed()
    if view is not None:
        frames.append((start + view.position, view.trainer.params))
    return frames


def weight_player(state: Session) -> list:
    """Mount the player with this session's frames, opened at the step being viewed (else now); returns the frames.

    Steps are counted as the timeline counts them (a step on a drawing is a step too), so the player
    and the "Viewing step k" banner agree; without a readable past, as the trainer counts samples.
    """
    trainer = state.trainer
    try:
        timeline = state.timeline()
    except (StoreError, ValueError):
        timeline = None  # the trajectory points alone (the store is down, or the run's log cannot be read)
    if timeline is None:
        frames, opened = weight_frames.frames(trainer), trainer.sgd_steps
    else:
        first = timeline.keyframes.frames[0]
        start, samples = first.sgd_steps, first.step_count  # the trajectory counts samples: place them among the steps
        points = [(start + timeline.position_after_samples(step - samples) if step >= samples else step, params)
                  for step, params in trainer.trajectory()]  # before the start: a checkpoint's own past
        frames = weight_frames.merge_frames(points, timeline_frames(state, timeline),
                                            limit=weight_frames.frame_limit(trainer.params.hidden))
        opened = start + (timeline.length if state.viewing is None else state.viewing)
    test_images, test_labels = trainer.data[2:]
    measures = weight_frames.measured(frames, test_images, test_labels, state.frame_measures)
    data = weight_frames.payload(frames, measures, trainer.training_size, opened, text=player_text(),
                                 separators=number_separators())
    _component(data=data, key="weights_player")
    return frames
