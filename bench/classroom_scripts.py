"""What each learner of the classroom benchmark does (bench/classroom_load.py), checked as it goes.

A learner's problems are written into its row, never raised, so one failing learner leaves the others' figures.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bench.classroom_report import Row
from bench.learners import Learner, train_step
from bench.wire_session import LearnerError


@dataclass
class Script:
    """What every learner does (the flags can shrink it for a quick run)."""

    steps: int = 20
    pause: float = 1.0
    big_steps: int = 2
    pages: tuple[str, ...] = ("weights", "loss surface")


async def learner_script(learner: Learner, script: Script, row: Row, start_delay: float) -> None:
    """One learner's visit; problems are recorded in the row, never raised."""
    await asyncio.sleep(start_delay)
    try:
        position = await click_step_on_train(learner, script, row)
        for _ in range(script.big_steps):
            run = await learner.click("Step ×100")
            row.other_seconds.setdefault("Step ×100", []).append(run.seconds)
            position = check_advance(learner, row, position, 100)
        for page in script.pages:
            run = await learner.open(page=page)
            row.other_seconds.setdefault("open page", []).append(run.seconds)
    except LearnerError as error:
        row.errors.append(f"{learner.name}: {error}")
    row.errors.extend(f"{learner.name}: {message}" for message in learner.errors)
    row.replicas[learner.replica or "-"] = row.replicas.get(learner.replica or "-", 0) + 1


async def click_step_on_train(learner: Learner, script: Script, row: Row) -> int:
    """Open Train and click Step script.steps times, a pause apart, timing each; the position reached."""
    await learner.open(page="train")
    position = train_step(learner)
    if position is None:
        raise LearnerError(f"no position text on Train: {learner.texts[:5]}")
    for _ in range(script.steps):
        run = await learner.click("Step")
        row.step_seconds.append(run.seconds)
        position = check_advance(learner, row, position, 1)
        await asyncio.sleep(script.pause)
    return position


def check_advance(learner: Learner, row: Row, before: int, clicked: int) -> int:
    """The position must move by exactly this learner's own steps."""
    after = train_step(learner)
    if after != before + clicked:
        row.mixed += 1
        row.errors.append(f"{learner.name}: position {before} + {clicked} clicked shows {after}")
        return after if after is not None else before + clicked
    return after


async def epoch_runner(learner: Learner, done: asyncio.Event, row: Row) -> None:
    """Keeps a whole epoch of training running (one after another) until the others are done."""
    try:
        await learner.open(page="train")
        while not done.is_set():
            run = await learner.click("Run to end of epoch")
            row.other_seconds.setdefault("epoch", []).append(run.seconds)
    except LearnerError as error:
        row.errors.append(f"{learner.name}: {error}")
    row.errors.extend(f"{learner.name}: {message}" for message in learner.errors)
