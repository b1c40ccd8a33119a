"""The words of core's and lab's codes (core/reasons.py), in this thread's language (the class tasks' are in
locales/task_words.py).

Core and lab/ say a code and its values (lab's codes are in locales/lab_words.py); here each code has its English sentence, marked for the catalogs
(so the Greek is in locales/el/LC_MESSAGES/messages.po), and said() makes the sentence where it is
shown or put into a longer message. Numbers that a person reads go through locales.number with the
format each entry names; a value that is itself a reason becomes its own words.
"""

from dataclasses import fields

from locales import N_, _, ngettext, number, percent
from locales.lab_words import LAB_WORDS, quoted, utc_moment


class Words:
    """A code's sentence: its English template, and the number format of each field that has one."""

    def __init__(self, template: str, **formats):
        self.template = template
        self.formats = formats

    def __call__(self, values: dict) -> str:
        shown = {name: _shown(value, self.formats.get(name)) for name, value in values.items()}
        return _(self.template).format(**shown)


class Listed(Words):
    """A sentence whose field `field` is a list of reasons, joined by `separator` (translated when `translated`)."""

    def __init__(self, template: str, field: str, separator: str, translated: bool, **formats):
        super().__init__(template, **formats)
        self.field, self.separator, self.translated = field, separator, translated

    def __call__(self, values: dict) -> str:
        separator = _(self.separator) if self.translated else self.separator
        return super().__call__({**values, self.field: separator.join(said(part) for part in values[self.field])})


def said(thing) -> str:
    """A reason, an error carrying one (as .reason or as its one argument), or any other error or text, as words."""
    reason = getattr(thing, "reason", thing)
    if isinstance(thing, BaseException) and len(thing.args) == 1 and _is_reason(thing.args[0]):
        reason = thing.args[0]  # lab/ raises the store's errors with a Reason as their message
    if not _is_reason(reason):
        return str(thing)
    return WORDS[reason.code](reason.values)


def _is_reason(thing) -> bool:
    return hasattr(thing, "code") and hasattr(thing, "values")


def _shown(value, spec):
    if spec in SHOWN_AS:
        return SHOWN_AS[spec](value)
    if _is_reason(value) or isinstance(value, BaseException):
        return said(value)
    if spec is not None:
        return number(value, spec)
    return value


def _prefixed(prefix: str):
    """The prefix, then the reason in `explanation` (a refusal's first words and its reason)."""
    return lambda values: _(prefix) + said(values["explanation"])


WORDS = {
    # --- core/record/npz_reading.py: an archive's structure -----------------------------------------
    "npz.object_array": Words(N_("{key} is an object array")),
    "npz.arrays_too_large": Words(N_("its arrays would unpack to more than {size} MB.")),
    "npz.end_missing": Words(N_("the end of the archive is missing")),
    "npz.zip64": Words(N_("it is a zip64 archive, the form for more than 4 GB or {count} files."), count=","),
    "npz.too_many_files": Words(N_("the archive holds {count} files; a checkpoint holds at most {most}."), count=","),
    "npz.directory_too_large": Words(N_("the archive holds a {size}-byte list of files; a checkpoint holds at most "
                                        "{most}."), size=","),
    "npz.empty": Words(N_("the archive is empty.")),
    "npz.not_an_array": Words(N_("the archive holds {name}, which is not a numpy array.")),
    "npz.twice": Words(N_("the archive holds {name} twice.")),
    "npz.method_number": Words(N_("method {number}")),
    "npz.compressed_with": Words(N_("{key} is compressed with {method}; only stored and deflate members, the two "
                                    "numpy writes, are read.")),
    "npz.encrypted": Words(N_("{key} is encrypted.")),
    "npz.unpacks_too_large": Words(N_("it would unpack to more than {size} MB.")),
    "npz.impossible_header": Words(N_("{key} has the array header {dtype} {shape}, which numpy never writes.")),
    "npz.claims_more": Words(N_("{key} claims {size} bytes but the archive says it holds {declared}.")),
    "npz.array_format": Words(N_("{key} has the array format {version}, which numpy writes only for other data.")),
    "npz.long_header": Words(N_("{key} has a {length}-byte array header; a checkpoint's arrays have headers of at "
                                "most {most} bytes, so it is not a checkpoint array."), length=",", most=","),
    "npz.past_the_end": Words(N_("{name} runs past the end of the archive")),
    "npz.ends_early": Words(N_("{key} ends before the {size} bytes its header announces."), size=","),
    "npz.more_data": Words(N_("{key} holds more data than its array header says.")),
    "npz.cut_short": Words(N_("the compressed data of {key} is cut short")),
    "npz.holds_other": Words(N_("{key} holds {produced} bytes but the archive says {declared}."), produced=",",
                             declared=","),
    "npz.bad_crc": Words(N_("Bad CRC-32 for {key}")),
    "npz.local_header_missing": Words(N_("the local header of {name} is missing")),
    "npz.local_header_other": Words(N_("the local header of {name} names another file")),
    # --- core/record/checkpoints.py: an uploaded checkpoint ---------------------------------------------
    # A refusal's first words, then its reason.
    "checkpoint.not_a_checkpoint": _prefixed(N_("This file is not a Backprop Lab checkpoint: ")),
    "checkpoint.damaged": _prefixed(N_("This checkpoint is damaged or was edited: ")),
    "checkpoint.sentence": lambda values: said(values["error"]) + ".",
    "checkpoint.looks_png": Words(N_("it looks like a PNG image.")),
    "checkpoint.looks_jpeg": Words(N_("it looks like a JPEG image.")),
    "checkpoint.looks_gif": Words(N_("it looks like a GIF image.")),
    "checkpoint.looks_pdf": Words(N_("it looks like a PDF document.")),
    "checkpoint.looks_gzip": Words(N_("it looks like a gzip file.")),
    "checkpoint.looks_npy": Words(N_("it looks like a single .npy array, not an .npz archive.")),
    "checkpoint.looks_pickle": Words(N_("it looks like a pickled Python object, which is never loaded for safety.")),
    "checkpoint.not_bytes": Words(N_("expected the file's bytes, got {kind}.")),
    "checkpoint.empty": Words(N_("the file is empty.")),
    "checkpoint.too_large": Words(N_("This file is {size} MB; a Backprop Lab checkpoint is at most {most} MB, so it is "
                                     "not loaded."), size=".1f", most=".0f"),
    "checkpoint.not_npz": Words(N_("it is not an .npz archive (the file a download gives).")),
    "checkpoint.pickled_in": Words(N_("This file contains a pickled Python object (in {key}), which is never loaded for "
                                      "safety: a pickle can run any code. A Backprop Lab checkpoint holds numbers and "
                                      "text only.")),
    "checkpoint.pickled": Words(N_("This file contains a pickled Python object, which is never loaded for safety: a "
                                   "pickle can run any code. A Backprop Lab checkpoint holds numbers and text only.")),
    "checkpoint.damaged_archive": Words(N_("it is a damaged or incomplete archive (was the download interrupted?). "
                                           "Details: {kind}: {error}")),
    "checkpoint.no_marker": Words(N_("it is an .npz archive, but not one Backprop Lab wrote (its format marker is "
                                     "missing).")),
    "checkpoint.no_version": Words(N_("its version number is missing.")),
    "checkpoint.version": Words(N_("This checkpoint has format version {version}; this Backprop Lab reads versions "
                                   "{first} to {last}.")),
    "checkpoint.state_kind": Words(N_("its trainer state is not of the kind this version reads ({format}).")),
    "checkpoint.setting_missing": Words(N_("the setting {name} is missing.")),
    "checkpoint.setting_shape": Words(N_("the setting {name} is an array of shape {shape}, not one value.")),
    "checkpoint.setting_not_text": Words(N_("the setting {name} is not text.")),
    "checkpoint.setting_not_whole": Words(N_("the setting {name} is not a whole number.")),
    "checkpoint.setting_not_number": Words(N_("the setting {name} is not a number.")),
    # Greek writes ";" as its question mark: the separator is translated too.
    "checkpoint.settings_outside": Listed(N_("This checkpoint's settings are outside what Backprop Lab allows: "
                                             "{errors}."), "errors", N_("; "), True),
    "checkpoint.missing": Words(N_("{what} missing.")),
    "checkpoint.not_floats": Words(N_("{what} holds {dtype} values, not floating-point numbers.")),
    "checkpoint.W1_shape": Words(N_("{what} has shape {shape}, not ({inputs}, h).")),
    "checkpoint.hidden_range": Words(N_("{what} has {h} hidden units; Backprop Lab allows {low} to {high}.")),
    "checkpoint.b1_shape": Words(N_("{what} has shape {shape} but b1 has {entries}.")),
    "checkpoint.W2_shape": Words(N_("{what} has shape {shape} but W2 has shape {W2_shape}, not ({h}, {classes}).")),
    "checkpoint.b2_shape": Words(N_("{what} has {entries}, not {classes}.")),
    "checkpoint.hidden_differs": Words(N_("{what} has {h} hidden units but the settings say {hidden}.")),
    "checkpoint.missing_entries": Words(N_("it is missing {entries}.")),
    "checkpoint.unexpected_entries": Words(N_("it holds entries Backprop Lab does not write: {entries}.")),
    "checkpoint.dtype": Words(N_("{what} holds {dtype} values, expected {kind}.")),
    "checkpoint.growing_shape": Words(N_("{what} has shape {shape}.")),
    "checkpoint.shape": Words(N_("{what} has shape {shape}, expected {expected}.")),
    "checkpoint.nan": Words(N_("NaN (not a number)")),
    "checkpoint.infinite": Words(N_("infinite values")),
    "checkpoint.not_finite": Words(N_("This checkpoint cannot be used: {what} contains {problem}.")),
    "checkpoint.position": Words(N_("its position (epoch {epoch} of a training set of {size}) is impossible.")),
    "checkpoint.training_size": Words(N_("This checkpoint was trained on {saved} training images; this app has {size}, "
                                         "so its position in the data would mean something else."), saved=",",
                                      size=","),
    "checkpoint.entries": lambda values: ngettext("{n} entry", "{n} entries", values["n"]).format(n=values["n"]),
    "checkpoint.entries_shape": Words(N_("shape {shape}")),
    "checkpoint.kind_floats": Words(N_("floating-point numbers")),
    "checkpoint.kind_whole": Words(N_("whole numbers")),
    "checkpoint.kind_text": Words(N_("text")),
    "checkpoint.initial": Words(N_("the initial {name}")),
    "checkpoint.snapshot_of": Words(N_("a saved snapshot of {name}")),
    # --- core/training/settings.py and core/surface/settings.py: settings in a link or a file -------------
    "settings.outside": Words(N_("{setting} is outside {low}..{high}")),
    "settings.not_whole": Words(N_("{setting} is not a whole number")),
    "settings.not_one_of": Words(N_("{setting} is not one of {allowed}")),
    "settings.not_a_number": Words(N_("{setting} is not a number; using the default {default}")),
    "settings.not_finite": Words(N_("{setting} is not a finite number; using the default {default}")),
    "settings.not_whole_default": Words(N_("{setting} is not a whole number; using the default {default}")),
    "settings.outside_default": Words(N_("{setting} is outside the allowed range {low} to {high}; using the default "
                                         "{default}")),
    "settings.not_one_of_default": Words(N_("{setting} is not one of {allowed}; using the default {default}")),
    "surface.not_one_of": Words(N_("{key}={value} is not one of {allowed}; using {fallback}")),
    "surface.rule_decides": Words(N_("the loss the training rule minimises")),
    # --- core/training/trainer.py: settings a trainer cannot run, a saved state, why training stopped ----------
    "training.unknown_rule": Words(N_("unknown gradient rule {rule}")),
    "training.unknown_init": Words(N_("unknown initialisation {init}")),
    "training.not_whole": Words(N_("{name} must be a whole number of at least {least}, not {value}")),
    "training.not_positive": Words(N_("{name} must be a positive number, not {value}")),
    "training.fixed_settings": Words(N_("{names} cannot change during a run; reset instead")),
    "training.invalid_settings": Listed(N_("invalid settings: {errors}"), "errors", "; ", False),
    "training.not_a_state": Words(N_("not a trainer state (expected format {format})")),
    "training.other_size": Words(N_("the saved state was trained on a training set of a different size")),
    "training.shape": Words(N_("{name} has shape {shape}, expected {expected}")),
    "training.position": Words(N_("its position ({steps} steps, epoch {epoch}, sample {index} of {size}) is "
                                  "impossible")),
    "training.not_finite": Words(N_("the saved parameters contain inf or nan")),
    "training.bad_note": Words(N_("its note on why training stopped is not one Backprop Lab writes")),
    "training.stopped": lambda values: _stopped(**values),
    "training.stopped_note": lambda values: values["note"],
    # --- core/training/history.py, trajectory.py, core/record/events.py: a saved state or log that does not add up
    "history.bins": Words(N_("the history's bins (width {width} for {steps} steps) are not ones training makes")),
    "history.counts": Words(N_("the history's bin counts do not add up to its steps")),
    "history.steps": Words(N_("the history holds {held} steps but the position is step {steps}")),
    "history.epochs": Words(N_("the history's epoch summaries do not match its epochs")),
    "history.totals": Words(N_("the history's totals for the current epoch do not match its position")),
    "history.last_active": Words(N_("the history's last active steps of the hidden units are impossible")),
    "snapshots.steps": Words(N_("the saved snapshots' steps are not ones training takes")),
    "snapshots.arrays": Words(N_("the saved snapshots' arrays do not match their steps or the network's shape")),
    "events.invalid_settings": Listed(N_("a settings event holds invalid settings: {errors}"), "errors", "; ", False),
    "events.checkpoint_missing": Words(N_("the checkpoint {sha}… this run starts from is missing or altered")),
    # Read back from the store: its record's reason (runs/run_log.py), in English as it always was.
    "events.invalid_run_settings": lambda values: "invalid run settings: " + "; ".join(map(said, values["errors"])),
    # --- core/model/gradient_check.py, core/surface/loss_surface.py -----------------------------------------
    "gradient_check.matches": Words(N_("matches")),
    "gradient_check.close": Words(N_("close")),
    "gradient_check.does_not_match": Words(N_("does not match")),
    "surface.no_trajectory": Words(N_("The principal directions need a trajectory: at least three saved points (the "
                                      "current weights count) not on one line. Train a few steps first, or use random "
                                      "directions.")),
    # --- core/classwork/lesson.py: a class's lesson, a name typed -----------------------------------------
    "lesson.locked_in_link": lambda values: _(N_("{assignment} in the link is ignored: your class locks the {setting} "
                                                 "at {value}.")).format(
        assignment=values["assignment"], setting=_(SETTING_LABELS[values["name"]]), value=setting_text(values["value"], values["name"])),
    "lesson.type_a": lambda values: _(N_("Type a {what}.")).format(what=_(NAMED[values["what"]])),
    "lesson.too_long": lambda values: _(N_("A {what} can be at most {most} characters long; this one has {length}.")).format(
        what=_(NAMED[values["what"]]), most=values["most"], length=values["length"]),
    "lesson.control_character": lambda values: _(N_("This {what} holds a control character (a line break, a tab or a "
                                                    "text-direction mark) that cannot be shown as typed; leave it "
                                                    "out.")).format(what=_(NAMED[values["what"]])),
    # --- core/training/lockstep.py: a set of runs that cannot be compared ----------------------------------
    "lockstep.rates_differ": Words(N_("the learning rates must differ from one another")),
    "lockstep.how_many": Words(N_("a comparison holds {low} to {high} runs, not {count}")),
    "lockstep.invalid_settings": Listed("{errors}", "errors", "; ", False),
    "lockstep.shapes": Words(N_("the runs have different network shapes (hidden units: {units}); only runs of one "
                                "shape can be compared")),
    "lockstep.training_sets": Words(N_("the runs were trained on training sets of different sizes")),
    "lockstep.steps": lambda values: _(N_("the runs are at different steps ({steps}); lockstep trains every run on the "
                                          "same next samples, so they must stand at one step")).format(
        steps=", ".join(number(step) for step in values["steps"])),
    "lockstep.stopped_past": Words(N_("a run stopped by overflow at step {stopped} is past the others (step {step})"),
                                   stopped=",", step=","),
}

WORDS.update({code: entry if callable(entry) else Words(entry[0], **entry[1]) for code, entry in LAB_WORDS.items()})
# The named formats of lab's words (locales/lab_words.py); "clause": a reason inside a sentence, without its full stop.
SHOWN_AS = {
    "clause": lambda reason: said(reason).rstrip("."), "utc": utc_moment,
    "settings": lambda names: ", ".join(_(SETTING_LABELS[name]) for name in names),
    "init": lambda init: init_name(init), "message": lambda message: _(message), "run": lambda run: run_label(run),
    "quoted": quoted, "quoted error": lambda error: quoted(said(error), 160),
    "runs at steps": lambda pairs: ", ".join(_("{run}… at step {step}").format(run=run_id[:8], step=number(step))
                                             for run_id, step in pairs),
}


def _stopped(step, epoch, sample, kept, name, forward, alpha, lower) -> str:
    """The trainer's note on an overflow (core/training/trainer.py saves it in English) in this thread's language."""
    where = N_("{name} in the forward pass") if forward else N_("{name} after this update")

    def shown(value) -> str:
        return number(value, "g") if isinstance(value, float) else value

    return _(N_("Training stopped at step {step} (epoch {epoch}, sample {sample}): the weights grew so large that "
                "{where} is infinite or not a number (learning rate α = {alpha}). The weights are kept as they were "
                "after step {kept}. Lower the learning rate (for example to {lower}) and reset.")).format(
        step=step, epoch=epoch, sample=sample, where=_(where).format(name=name), alpha=shown(alpha), kept=kept,
        lower=shown(lower))


# --- settings as a sentence names them ---------------------------------------------------------------------

SETTING_LABELS = {"learning_rate": N_("learning rate α"), "decay_period": N_("halve α every … epochs"),
                  "decay_factor": N_("decay factor"), "rule": N_("gradient rule"), "hidden": N_("hidden units"),
                  "init": N_("initialisation"), "seed": N_("random seed")}  # translated where shown
NAMED = {"name": N_("name"), "class name": N_("class name")}  # what core/classwork/lesson.py's check_name checks


def setting_text(value, name: str = "") -> str:
    """A setting's value as a sentence shows it: numbers in the language's signs (0,05 in Greek), a gradient rule or an
    initialisation by its name in the language (`name` says which setting it is: "document's rule", Greek «κανόνας του
    κειμένου»), other text as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value, "")
    if name == "rule" and value in RULE_NAMES:
        return rule_title(value)
    if name == "init" and value in INIT_NAMES:
        return init_name(value)
    return str(value)


# --- a gradient rule, an initialisation and a loss as a person reads them -----------------------------------
# The values ("document", "mse", "cross-entropy", "uniform", "he") stay as they are in URLs, saved files, the store
# and code; every screen shows them through these names. A name fits the slot after its noun, in any case of it:
# "the {rule} rule" is "ο κανόνας {rule}" in Greek, so the Greek names are a genitive («του κειμένου») or a name in
# apposition («MSE», «cross-entropy», «He»).

RULE_NAMES = {"document": N_("document's"), "mse": N_("exact MSE"), "cross-entropy": N_("cross-entropy")}
INIT_NAMES = {"uniform": N_("uniform"), "he": N_("He")}
LOSS_NAMES = {"mse": N_("MSE"), "cross-entropy": N_("cross-entropy")}


def rule_name(rule: str) -> str:
    """A gradient rule's name in this thread's language: "document" → "document's" (Greek «του κειμένου")."""
    return _(RULE_NAMES[rule])


def rule_title(rule: str) -> str:
    """A gradient rule named on its own (a select box's option, a legend, a table's cell): "document's rule" (Greek
    «κανόνας του κειμένου»)."""
    return _("{rule} rule").format(rule=rule_name(rule))


def init_name(init: str) -> str:
    """An initialisation's name in this thread's language: "uniform" → "uniform" (Greek «ομοιόμορφη»), "he" → "He"."""
    return _(INIT_NAMES[init])


def loss_name(loss: str) -> str:
    """A loss's name in this thread's language (core.model.network.LOSSES' keys): "mse" → "MSE"."""
    return _(LOSS_NAMES[loss])


# --- the runs of a comparison (core/training/lockstep.py), named by what sets each apart --------------


def run_label(run) -> str:
    """A compared run (lab/comparison.py's ComparedRun) named by what sets it apart from the others of its set."""
    return run_labels(list(run.set_settings))[run.place]


def run_labels(settings_list) -> list[str]:
    """Each run named by what sets it apart: "exact MSE rule", "α = 0.1", "cross-entropy rule · α = 0.02", "run 2"."""
    names = ["rule", "learning_rate"] + [field.name for field in fields(settings_list[0])
                                         if field.name not in ("rule", "learning_rate")]
    differing = [name for name in names if len({getattr(settings, name) for settings in settings_list}) > 1]
    labels = []
    for count, settings in enumerate(settings_list, start=1):
        parts = [_setting_text(name, getattr(settings, name)) for name in differing]
        labels.append(" · ".join(parts) if parts else _("run {number}").format(number=count))
    if len(set(labels)) < len(labels):  # the same settings twice (runs picked by link): number them
        labels = [_("run {number}: {label}").format(number=count, label=label)
                  for count, label in enumerate(labels, start=1)]
    return labels


def _setting_text(name, value) -> str:
    return {"rule": lambda: rule_title(value), "learning_rate": lambda: f"α = {number(value, 'g')}",
            "decay_period": lambda: _("halve every {period}").format(period=value),
            "decay_factor": lambda: _("factor {factor}").format(factor=number(value, "g")),
            "hidden": lambda: _("{units} hidden").format(units=value),
            "init": lambda: _("{init} initialisation").format(init=init_name(value)),
            "seed": lambda: _("seed {seed}").format(seed=value)}[name]()
