"""The Compare screen's reading: a few sentences saying what the numbers of the runs and of their shared plane show.

Every sentence is computed from the runs (core/training/lockstep.py) and the plane (core/surface/shared_plane.py),
never written by hand: which rule or α learned most, which coincide, which killed their hidden units and
when, and where the drawn plane can be trusted.
"""

from dataclasses import replace

import numpy as np

from core.surface.shared_plane import TRUSTED, SharedPlane
from core.training.lockstep import distance_from_start, largest_difference, output_error_size
from core.model.batched import PROBE_IMAGES
from locales import _, ngettext, number, percent


# --- the runs -------------------------------------------------------------------------------------


def reading(trainers, labels) -> list[str]:
    """A few sentences saying what the numbers of these runs show, each computed from them."""
    sentences = [_accuracy_sentence(trainers, labels)]
    sentences += _erratum_sentences(trainers, labels)
    sentences.append(_damping_sentence(trainers, labels))
    sentences += [_silent_sentence(trainer, label) for trainer, label in zip(trainers, labels)]
    sentences += [_("**{label}** stopped at step {step}: its weights overflowed (α = {rate} is too large), and it "
                    "stays there while the others go on.").format(
                        label=label, step=number(trainer.step_count), rate=number(trainer.learning_rate, "g"))
                  for trainer, label in zip(trainers, labels) if trainer.stopped_reason]
    return [sentence for sentence in sentences if sentence]


def _position(trainer) -> str:
    epochs = trainer.epoch
    if trainer.index == 0 and epochs:
        return ngettext("After {epochs} epoch ({steps} steps)", "After {epochs} epochs ({steps} steps)",
                        epochs).format(epochs=number(epochs), steps=number(trainer.step_count))
    return ngettext("After {steps} step", "After {steps} steps", trainer.step_count).format(
        steps=number(trainer.step_count))


def _accuracy_sentence(trainers, labels) -> str | None:
    """The runs ranked by their last test accuracy, or by this epoch's training accuracy before any epoch ends."""
    lead = max(trainers, key=lambda trainer: trainer.step_count)
    if lead.step_count == 0:
        return None
    if all(trainer.history.epochs for trainer in trainers):
        scores = [trainer.history.epochs[-1].test_accuracy for trainer in trainers]
        what = _("test accuracy (10,000 test images)")
    else:
        scores = [trainer.history.train_accuracy for trainer in trainers]
        what = _("training accuracy so far this epoch (each image counted before its update)")
        if any(np.isnan(score) for score in scores):
            return None
    order = np.argsort(scores, kind="stable")[::-1]
    ranked = ", ".join(f"**{labels[i]}** {percent(scores[i])}" for i in order)
    gap = scores[order[0]] - scores[order[-1]]
    return _("{when}, {what}: {ranked} (a spread of {gap} percentage points).").format(
        when=_position(lead), what=what, ranked=ranked, gap=number(gap * 100, ".2f"))


def _erratum_sentences(trainers, labels) -> list[str]:
    """The document's rule at α beside cross-entropy at 2α (they should coincide) and at α (half the steps)."""
    sentences = []
    for doc, doc_label in zip(trainers, labels):
        if doc.settings.rule != "document":
            continue
        for other, other_label in zip(trainers, labels):
            if other.settings.rule != "cross-entropy" or not _same_start(doc, other):
                continue
            ratio = other.settings.learning_rate / doc.settings.learning_rate
            same = replace(other.settings, rule="document", learning_rate=doc.settings.learning_rate) == doc.settings
            if not same or ratio not in (1.0, 2.0) or other.step_count != doc.step_count or doc.step_count == 0:
                continue
            if ratio == 2.0:
                difference = largest_difference(doc.params, other.params)
                agree = (_("agree bit for bit (every weight equal)") if difference == 0
                         else _("agree to {difference} (the largest difference of any weight)").format(
                             difference=number(difference, ".1e")))
                sentences.append(_(
                    "{when}, {first} and {second} {agree}: the document's dZ2 = 2(A2 − y) is exactly twice the "
                    "cross-entropy gradient A2 − y (erratum 1), so doubling α turns one into the other.").format(
                        when=_position(doc), first=_with_alpha(doc_label, doc),
                        second=_with_alpha(other_label, other), agree=agree))
            else:
                moved = (distance_from_start(doc.params, doc.initial_params),
                         distance_from_start(other.params, other.initial_params))
                sentences.append(_(
                    "At the same α, **{half}** takes half of **{document}**'s step on every image "
                    "(dZ2 = A2 − y against 2(A2 − y)): it moved its weights {half_moved} from the start, the "
                    "document's rule {document_moved}.").format(
                        half=other_label, document=doc_label, half_moved=number(moved[1], ".3g"),
                        document_moved=number(moved[0], ".3g")))
    return sentences


def _with_alpha(label, trainer) -> str:
    """The run's name in bold, with its α after it unless the name already says it."""
    if "α =" in label:
        return f"**{label}**"
    return _("**{label}** at α = {rate}").format(label=label, rate=number(trainer.settings.learning_rate, "g"))


def _same_start(first, second) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(first.initial_params.as_tuple(), second.initial_params.as_tuple()))


def _damping_sentence(trainers, labels) -> str | None:
    """Exact MSE's output error against the document's (or cross-entropy's) over the same steps."""
    mse = [(t, label) for t, label in zip(trainers, labels) if t.settings.rule == "mse" and t.step_count]
    others = [(t, label) for t, label in zip(trainers, labels) if t.settings.rule != "mse" and t.step_count]
    if not mse or not others:
        return None
    (slow, slow_label), (fast, fast_label) = mse[0], others[0]
    sizes = output_error_size(slow.history), output_error_size(fast.history)
    moved = (distance_from_start(slow.params, slow.initial_params), distance_from_start(fast.params, fast.initial_params))
    if not (sizes[0] > 0 and sizes[1] > 0):
        return None
    if sizes[0] < sizes[1]:
        how = _("{times} times smaller than **{other}**'s (rms {size} against {other_size}, averaged over every "
                "step): it passes through the softmax Jacobian J = diag(A2) − A2·A2ᵀ, whose diagonal entries "
                "A2ₖ(1 − A2ₖ) are at most 1/4")
        times = sizes[1] / sizes[0]
    else:
        how = _("{times} times larger than **{other}**'s (rms {size} against {other_size})")
        times = sizes[0] / sizes[1]
    how = how.format(times=number(times, ".1f"), other=fast_label, size=number(sizes[0], ".3g"),
                     other_size=number(sizes[1], ".3g"))
    return _("**{label}**'s output error dZ2 = J·2(A2 − y) was on average {how}. It moved its weights {moved} from "
             "the start; **{other}** moved {other_moved}.").format(
        label=slow_label, how=how, moved=number(moved[0], ".3g"), other=fast_label,
        other_moved=number(moved[1], ".3g"))


def _silent_sentence(trainer, label) -> str | None:
    """How many hidden units this run silenced, and when the last of them last fired on a training image."""
    silent = trainer.dead_units()
    if not silent.any():
        return None
    hidden = len(silent)
    last = trainer.history.last_active[silent]
    when = (_("; the last of them fired on a training image at step {step}").format(step=number(int(last.max())))
            if last.any() else _("; none of them fired on a training image in this run"))
    return _("**{label}** silenced {silent} of {hidden} hidden units (Z1 ≤ 0 on all of the first {probe} test "
             "images){when}. A silent unit passes nothing on and gets no gradient.").format(
        label=label, silent=int(silent.sum()), hidden=hidden, probe=number(PROBE_IMAGES), when=when)


# --- the shared plane ----------------------------------------------------------------------------------


def plane_reading(result: SharedPlane, labels) -> list[str]:
    """Sentences on where the picture can be trusted: each path's distance off the plane and the surface's error."""
    sentences = []
    tolerance = number(TRUSTED, ".0%")
    if result.explained_variance_ratio is not None:
        first, second = result.explained_variance_ratio
        points = sum(len(path.steps) for path in result.paths)
        sentences.append(_("d1 and d2 hold {first} and {second} of the variance of the weights of all {points} "
                           "saved points of the {paths} paths ({together} together); the rest of each path's "
                           "movement is off this plane.").format(
            first=number(first, ".0%"), second=number(second, ".0%"), points=number(points),
            paths=len(result.paths), together=number(first + second, ".0%")))
    else:
        sentences.append(_("Random directions: d1 and d2 are nearly orthogonal (cosine {cosine}) and almost "
                           "orthogonal to every path as well, so each path's shadow stays near its start and most of "
                           "its movement is off the plane. Choose pca to see the directions the paths took.").format(
            cosine=number(result.direction_cosine, "+.3f")))
    for path, label in zip(result.paths, labels):
        worst = int(np.argmax(path.disagreement))
        far = int(np.argmax(path.distance))
        sentences.append(_(
            "**{label}**: up to {distance} off the plane (at step {far_step}); the surface's value under it differs "
            "from its true loss by at most {difference} (at step {step}: the surface shows {surface}, the true loss "
            "is {true}).").format(
                label=label, distance=number(path.distance[far], ".3g"), far_step=number(path.steps[far]),
                difference=number(path.disagreement[worst], ".3f"), step=number(path.steps[worst]),
                surface=number(path.surface_loss[worst], ".3f"), true=number(path.loss[worst], ".3f")))
    trusted = [label for path, label in zip(result.paths, labels)
               if path.disagreement.max() <= TRUSTED * max(float(np.abs(path.loss).max()), 1e-12)]
    if trusted and len(trusted) < len(labels):
        runs = ", ".join(f"**{label}**" for label in trusted)
        sentences.append(_("Within {tolerance} of the true loss all along: {runs}; for the others the picture is a "
                           "shadow where their values part.").format(tolerance=tolerance, runs=runs))
    elif trusted:
        sentences.append(_("Every path's true loss stays within {tolerance} of the surface's value under it: here the "
                           "picture can be trusted.").format(tolerance=tolerance))
    else:
        sentences.append(_("No path stays within {tolerance} of the surface's value under it: read the drawn paths as "
                           "shadows and the numbers above as the truth.").format(tolerance=tolerance))
    return sentences
