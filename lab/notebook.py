"""Take the run home: a Jupyter notebook, and the same as a .py script, that replays a run in plain numpy.

A run is its start plus its log (core/record/events.py); its parameters are a pure function of them. This
module writes that function out as the design document's own code (Algorithms 1 to 4, each erratum
corrected and named in a comment) with the run's start and log as data, and the parameters the app
had at the end embedded, so the reader sees "identical" printed by code that imports nothing of the
app. The code is lab/notebook_template.txt; its words (markdown, comments, messages) come from
lab/notebook_words.py in the learner's language.

Bit for bit: the template makes the same floating-point operations, in the same order, as
core/model/network.py's sgd_step and core/training/trainer.py's walk through the data (tests/test_notebook.py
executes an exported notebook and compares). Change one, change the other.

Left out on purpose: Streamlit (ui/take_home.py offers the downloads) and the store (the timeline
it was read from is given).
"""

import base64
import json
import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from core.record.events import SettingsChanged, StepOnImage, TrainSamples
from core.model.network import Parameters, init_parameters
from core.training.settings import Settings
from lab.notebook_words import comments, markdown, messages, start_sentence
from locales import _, number

TEMPLATE = Path(__file__).with_name("notebook_template.txt")
SECTION = re.compile(r"^#%% (code|markdown|rule) ([\w-]+)\n", re.MULTILINE)
PLACEHOLDER = re.compile(r'^(?P<indent> *)#\$(?P<comment>\w+)$|"""\$(?P<doc>\w+)"""|\$(?P<value>\w+)', re.MULTILINE)
COMMENT_WIDTH = 100
ACCURACY_POINTS = 50  # test-accuracy measurements over a long replay (each costs about 20 ms)


@dataclass(frozen=True)
class RunExport:
    """What a notebook needs of a run: its start, its whole log (the lineage's) and its parameters at the end."""

    run_id: str
    settings: Settings  # in force at the start
    start: Parameters  # float64, exactly as training began from them
    epoch: int  # the start's place in the training data
    index: int
    stopped: bool
    from_seed: bool  # the start is what the settings' seed draws (else it is embedded)
    events: tuple  # the log after the start, the lineage's ancestors first
    branches: tuple  # (index in events, run id) where each branch's own log begins
    final: Parameters  # the app's parameters after the whole log


def export_of(timeline, segments, final: Parameters, run_id: str | None) -> RunExport:
    """The export of a run from its timeline (start keyframe and log), its lineage's segments and its parameters now."""
    start = timeline.keyframes.frames[0]
    seeded = init_parameters(start.settings.hidden, start.settings.init, start.settings.seed)
    from_seed = (start.step_count == 0 and start.stopped_reason is None and all(
        np.array_equal(a, b) for a, b in zip(start.params.as_tuple(), seeded.as_tuple())))
    branches = tuple((segment.start, segment.run_id or "") for segment in segments[1:])
    return RunExport(run_id=run_id or "", settings=start.settings, start=start.params.copy(), epoch=start.epoch,
                     index=start.index, stopped=start.stopped_reason is not None, from_seed=from_seed,
                     events=tuple(timeline.events), branches=branches, final=final.copy())


def run_export(session) -> RunExport | None:
    """A learner's session's run (its live run and trainer), or None while the run's log cannot be read."""
    timeline = session.run.timeline
    if timeline is None:
        return None
    return export_of(timeline, list(session.run.segments), session.trainer.params, session.run.run_id)


# --- the notebook ----------------------------------------------------------------------------------


def notebook(run: RunExport) -> nbformat.NotebookNode:
    """The notebook of `run`, in this thread's language (a valid nbformat 4 notebook)."""
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.metadata["language_info"] = {"name": "python"}
    book.cells = [nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text)
                  for kind, text in cells(run)]
    nbformat.validate(book)
    return book


def notebook_bytes(run: RunExport) -> bytes:
    return nbformat.writes(notebook(run)).encode("utf-8")


def script_text(run: RunExport) -> str:
    """The same cells as a .py script in the percent format (Jupytext, VS Code and Spyder read its cells)."""
    parts = []
    for kind, text in cells(run):
        if kind == "markdown":
            parts.append("# %% [markdown]\n" + "\n".join(f"# {line}".rstrip() for line in text.splitlines()))
        else:
            parts.append("# %%\n" + text)
    return "\n\n".join(parts) + "\n"


def file_name(run: RunExport, suffix: str) -> str:
    """A download name that says whose run it is, e.g. backprop-lab-run-Ab3dE9xQ.ipynb."""
    name = re.sub(r"[^A-Za-z0-9_-]", "", run.run_id)[:8] or "unsaved"
    return f"backprop-lab-run-{name}{suffix}"


def cells(run: RunExport) -> list[tuple[str, str]]:
    """(kind, text) of every cell, in order: markdown or code."""
    sections = _sections()
    words = markdown(_facts(run))
    values = {**{name: _python(text) for name, text in messages().items()}, **_data(run, sections)}
    start = "start_seed" if run.from_seed and run.settings.init == "uniform" else (
        "start_he" if run.from_seed else "start_embedded")
    chosen = []
    for kind, name, text in sections:
        if kind == "rule" or name.startswith("start_") and name != start:
            continue
        if kind == "markdown":
            chosen.append(("markdown", words[name]))
        else:
            chosen.append(("code", _filled(text, values)))
    return chosen


def _sections() -> list[tuple[str, str, str]]:
    """(kind, name, text) of each section of the template."""
    source = TEMPLATE.read_text(encoding="utf-8")
    found = list(SECTION.finditer(source))
    return [(match[1], match[2], source[match.end():following.start() if following else len(source)].strip("\n"))
            for match, following in zip(found, [*found[1:], None])]


def _filled(text: str, values: dict) -> str:
    """The template text with its comments (`#$name` lines), docstrings and values (`$name`) in place, in one pass."""
    words = comments()

    def filled(match):
        if match["comment"]:
            indent = match["indent"]
            lines = textwrap.wrap(words[match["comment"]], COMMENT_WIDTH - len(indent) - 2, break_on_hyphens=False)
            return "\n".join(f"{indent}# {line}" for line in lines)
        if match["doc"]:
            return '"""' + words[match["doc"]] + '"""'
        return values[match["value"]]

    return PLACEHOLDER.sub(filled, text)


def _facts(run: RunExport) -> dict:
    rules = _rules_used(run)
    return {
        "run": run.run_id or "—",
        "samples": number(sum(event.n for event in run.events if isinstance(event, TrainSamples))),
        "drawings": number(sum(isinstance(event, StepOnImage) for event in run.events)),
        "changes": number(sum(isinstance(event, SettingsChanged) for event in run.events)),
        "branches": number(len(run.branches)),
        "start": start_sentence("seed" if run.from_seed else "checkpoint"),
        "rules": ", ".join(f"`{rule}`" for rule in rules),
    }


def _rules_used(run: RunExport) -> list[str]:
    """The gradient rules in force at some point of the run, in the order they were first used."""
    rules = [run.settings.rule]
    for event in run.events:
        if isinstance(event, SettingsChanged):
            rule = dict(event.changes).get("rule")
            if rule is not None and rule not in rules:
                rules.append(rule)
    return rules


def _data(run: RunExport, sections) -> dict[str, str]:
    """The run's values as Python source, by placeholder name."""
    samples = sum(event.n for event in run.events if isinstance(event, TrainSamples))
    step = 1000 * max(1, math.ceil(samples / ACCURACY_POINTS / 1000))
    rule_code = {name: text for kind, name, text in sections if kind == "rule"}
    rules = _rules_used(run)
    table = ", ".join(f'"{rule}": dZ2_{rule.replace("-", "_")}' for rule in rules)
    values = {
        "settings": _settings_literal(run.settings),
        "position": f"{run.epoch}, {run.index}, {run.stopped}",
        "log": _log_literal(run),
        "accuracy_every": f"{step:_}",
        "rules": "\n\n\n".join(_filled(rule_code[rule], {}) for rule in rules)
                 + f"\n\n\nGRADIENT_RULES = {{{table}}}\n",
    }
    for prefix, params in (("", run.start), ("final_", run.final)):
        for name, array in zip(("W1", "b1", "W2", "b2"), params.as_tuple()):
            values[prefix + name] = _python(_base64(array))
    return values


def _settings_literal(settings: Settings) -> str:
    fields = ",\n".join(f"    {_python(name)}: {_python(value)}" for name, value in vars(settings).items())
    return "{\n" + fields + ",\n}"


def _log_literal(run: RunExport) -> str:
    """The log as a Python list, one event a line; consecutive train events merged; a comment where a branch begins."""
    lines, pending = [], 0
    marks = dict(run.branches)

    def flush():
        nonlocal pending
        if pending:
            lines.append(f'    ("train", {pending:_}),')
            pending = 0

    for position, event in enumerate(run.events):
        if position in marks:
            flush()
            note = _("Branch {run} starts here: what follows is its own log; its parent's comes before.")
            lines.extend(f"    # {line}" for line in textwrap.wrap(note.format(run=marks[position] or "—"),
                                                                  COMMENT_WIDTH - 6, break_on_hyphens=False))
        if isinstance(event, TrainSamples):
            pending += event.n
        elif isinstance(event, StepOnImage):
            flush()
            lines.append(f'    ("image", {event.label}, "{base64.b64encode(event.pixels).decode("ascii")}"),')
        elif isinstance(event, SettingsChanged):
            flush()
            lines.append(f'    ("settings", {_python(dict(event.changes))}),')
        # Any other event (a lab's answer) changes no parameter: the replay has nothing to do for it.
    flush()
    return "[\n" + "\n".join(lines) + "\n]" if lines else "[]"


def _python(value) -> str:
    """A Python literal for a number, a string (double-quoted, as the template's own) or a dict of them."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_python(key)}: {_python(item)}" for key, item in value.items()) + "}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid Python string literal
    return repr(value)  # a float's repr reads back as the very same float


def _base64(array) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f8").tobytes()).decode("ascii")
