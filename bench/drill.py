"""A class of protocol-level learners on a deploy/topology.py topology, and the failures it must live through.

Shared by tests/test_topology.py and bench/multihost.py. Every learner joins one class through the
join link, opens Train and clicks Step once a second; when its WebSocket drops, it reconnects as the
browser does (bench/learners.py: Learner.reconnect) and goes on. What each saw is kept in its `Seat`:
the clicks answered, the click that was in flight when the connection dropped (stored or not, the
learner cannot know), where it was served before and after, the notices on its screen.

`check_runs` then reads every run from the store and opens every run's link afresh through the
front: the log must hold each answered click once (0 lost, 0 duplicated) and the reopened run must
stand at that step.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from bench.learners import Learner, train_step
from bench.wire_session import LearnerError

MOVED = "The connection moved to another server"
UNREACHABLE = "The run store cannot be reached"
STEP_PAUSE = 1.0  # seconds from one click's start to the next


@dataclass
class Seat:
    """One learner's own record of its lesson."""

    learner: Learner
    run_id: str = ""
    host: str = ""  # the machine that served it first (X-Host)
    start_step: int = 0  # the Train screen's step before the first click
    start_length: int = 0  # the run's log length then (read from the store)
    answered: int = 0  # Step clicks answered
    in_flight: int = 0  # clicks sent whose answer never came (the connection dropped meanwhile)
    seconds: list[float] = field(default_factory=list)  # each answered click, sent to answered
    moved_to: str = ""  # the machine it reconnected to, if it had to
    reconnected: list[tuple[float, float]] = field(default_factory=list)  # (started, done), time.monotonic()
    moved_notice: bool = False  # the one line saying so was on its screen after reconnecting
    answered_after_move: float | None = None  # time.monotonic() of its first answered click after that
    # per answered click: (sent, answered, the store-unreachable notice shown), times by time.monotonic()
    notices: list[tuple[float, float, bool]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems other than its connection dropping

    @property
    def name(self) -> str:
        return self.learner.name


async def join(url: str, class_id: str, name: str) -> Seat:
    """A learner joins the class through the front and opens Train (LearnerError if it cannot)."""
    learner = Learner(url, name=name, timeout=120)
    await learner.connect()
    await learner.open(page="teach", query_string=f"join={class_id}")
    learner.type_text("Your name", name)
    await learner.click("Join the class")
    if learner.find_text("Your run's link") is None:
        raise LearnerError(f"{name} is not in the class after joining: {learner.texts[:4]}")
    await learner.open(page="train", query_string=learner.query_string)
    seat = Seat(learner, run_id=run_in(learner.query_string), host=learner.host)
    seat.start_step = train_step(learner)
    if not seat.run_id or seat.start_step is None:
        raise LearnerError(f"{name}: no run in the link ({learner.query_string!r}) or no step on Train")
    return seat


def run_in(query_string: str) -> str:
    return parse_qs(query_string).get("run", [""])[0]


async def step(seat: Seat, until: float) -> None:
    """Click Step once a second until `until` (time.monotonic()); reconnect when the connection dropped."""
    learner = seat.learner
    while time.monotonic() < until:
        started = time.monotonic()
        if not learner.connected:
            if not await reconnect(seat):
                return
        else:
            try:
                run = await learner.click("Step")
            except LearnerError as error:
                if learner.connected:
                    seat.errors.append(str(error))
                    return
                seat.in_flight += "during a run" in str(error)  # sent before the drop: maybe stored
                continue
            seat.answered += 1
            seat.seconds.append(run.seconds)
            seat.notices.append((started, time.monotonic(), learner.find_text(UNREACHABLE) is not None))
            if seat.moved_to and seat.answered_after_move is None:
                seat.answered_after_move = time.monotonic()
        await asyncio.sleep(max(0.0, STEP_PAUSE - (time.monotonic() - started)))


async def reconnect(seat: Seat) -> bool:
    """Reconnect as the browser does; False (with the reason in seat.errors) if it could not."""
    learner = seat.learner
    started = time.monotonic()
    try:
        await learner.reconnect()
    except LearnerError as error:
        seat.errors.append(f"reconnecting (served by {learner.host or '?'}): {error}; "
                           f"seen: {learner.errors[-3:]}")
        return False
    seat.reconnected.append((started, time.monotonic()))
    seat.moved_to = learner.host
    seat.moved_notice = learner.find_text(MOVED) is not None
    return True


def longest_wait(seat: Seat) -> float:
    """The longest time between two answered clicks of this learner: the outage as it lived through it."""
    answered = [answered for _sent, answered, _shown in seat.notices]
    return max((later - earlier for earlier, later in zip(answered, answered[1:])), default=0.0)


def waits(seats: list[Seat]) -> str:
    """The learners' longest waits for an answer in one line: shortest, median, longest."""
    seconds = sorted(longest_wait(seat) for seat in seats)
    if not seconds:
        return "no learner"
    return (f"{len(seconds)} learners without an answer for at most {seconds[0]:.1f} s (shortest), "
            f"{statistics.median(seconds):.1f} s (median), {seconds[-1]:.1f} s (longest)")


def first_answers(seats: list[Seat], since: float) -> str:
    """How long after `since` (time.monotonic()) the learners' first clicks were answered: first, median, last."""
    seconds = sorted(next(answered for sent, answered, _shown in seat.notices if sent > since) - since
                     for seat in seats if any(sent > since for sent, _answered, _shown in seat.notices))
    if not seconds:
        return "no learner answered after it"
    return (f"{len(seconds)} learners answered again {seconds[0]:.1f} s (first), "
            f"{statistics.median(seconds):.1f} s (median), {seconds[-1]:.1f} s (last) after it")


async def reopened_step(url: str, run_id: str) -> int | None:
    """The step a fresh browser sees on Train when it opens the run's link through the front."""
    async with Learner(url, name=f"reopen {run_id[:8]}", timeout=120) as visitor:
        await visitor.open(page="train", query_string=f"run={run_id}")
        return train_step(visitor)


def log_lengths(store, seats: list[Seat]) -> dict[str, int]:
    return {seat.run_id: store.run_info(seat.run_id).length for seat in seats}


async def check_runs(url: str, store, seats: list[Seat]) -> list[str]:
    """Every way a run lost or duplicated an answered click (empty when none did).

    The log grew by the answered clicks, plus at most the one in flight when the connection dropped
    (the server may have stored it before it died); the run's link opens at the step that log leads to.
    """
    problems = []
    for seat in seats:
        stored = store.run_info(seat.run_id).length - seat.start_length
        if not seat.answered <= stored <= seat.answered + seat.in_flight:
            problems.append(f"{seat.name}: {seat.answered} clicks answered ({seat.in_flight} unanswered), "
                            f"{stored} stored")
        shown = await reopened_step(url, seat.run_id)
        if shown != seat.start_step + stored:
            problems.append(f"{seat.name}: its link opens at step {shown}, not {seat.start_step + stored}")
    return problems


async def teacher(url: str, class_id: str, secret: str, name: str) -> Learner:
    """The teacher's dashboard opened on one URL (a host's own, to pin it there)."""
    learner = Learner(url, name=name, timeout=120)
    await learner.connect()
    await learner.open(page="teach", query_string=f"class={class_id}&key={secret}")
    if learner.find_text("Join link for the students") is None:
        raise LearnerError(f"{name}: no dashboard: {learner.texts[:4]}")
    return learner


async def dashboard_students(teacher_: Learner) -> int:
    """The students in the dashboard's table after one refresh now."""
    from bench.classroom_dashboard import dashboard_rows

    await teacher_.rerun_fragment()
    return dashboard_rows(teacher_)
