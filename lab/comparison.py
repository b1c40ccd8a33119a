"""The Compare screen's state: 2 to 4 stored runs trained in lockstep, held by the session as one object.

Every compared run is a normal stored run with a LiveRun of its own (lab/live_run.py): each click
appends its "train n samples" event, so each run has its own ?run= link, and the comparison's link is
the Compare screen with the runs' ids (?compare=id1,id2,id3). A set built here starts new runs from
the initial weights of the session's run; the session's own run (the Train screen's) is never moved.

Text a learner pastes or types into a URL is checked like every URL input (SPEC section 5): a bad
or unknown id, a run of another shape or at another step gets a message naming it, and the
comparison on screen stays as it was.

Left out on purpose: the maths (core/training/lockstep.py, core/surface/shared_plane.py) and drawing (pages/compare.py).
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from core.record.checkpoints import CheckpointError, save_checkpoint
from core.training.lockstep import (
    MAX_RUNS,
    MIN_RUNS,
    TrackedRun,
    lockstep_problems,
    starts_from_seed,
    train_in_lockstep,
    trainer_from_weights,
)
from core.training.trainer import Trainer
from core.reasons import Reason
from runs.errors import MalformedRunId, StoreError, StoreUnavailable, UnknownRun
from runs.run_log import check_run_id
from lab.live_run import LiveRun
from lab.memo import Memo
from lab.stored_runs import StoreHandle, trainer_at

MAX_LINK_CHARACTERS = 4_000  # four links with their settings fit easily; anything longer is refused unread
QUERY_KEY = "compare"


@dataclass
class ComparedRun:
    """One run of the comparison: its stored log, its trainer and the numbers kept for its curves.

    Its name is worked out where it is shown (locales/words.py's run_label) from the settings of
    every run of its set: what sets it apart from the others.
    """

    live: LiveRun
    tracked: TrackedRun
    place: int  # its place in the set, from 0
    set_settings: tuple  # the settings of every run of the set, in order (its colour is the palette's at its place)

    @property
    def trainer(self) -> Trainer:
        return self.tracked.trainer

    @property
    def run_id(self) -> str | None:
        return self.live.run_id


class Comparison:
    """2 to 4 runs trained in lockstep, how they were made, and what the screen keeps between reruns."""

    MEMO_ENTRIES = 4  # shared planes: a couple of settings at the current step

    def __init__(self, runs: list[ComparedRun], origin: Reason):
        self.runs = runs
        self.origin = origin  # how this set was made, said where it is shown
        self.running = False  # an epoch running in slices
        self.previous: str | None = None  # the link of the comparison this one replaced
        self.notices: list = []  # Reasons
        self.planes = Memo(self.MEMO_ENTRIES)

    @property
    def trainers(self) -> list[Trainer]:
        return [run.trainer for run in self.runs]

    @property
    def ids(self) -> list[str | None]:
        return [run.run_id for run in self.runs]

    def query_value(self) -> str | None:
        """The ?compare= value that reopens this comparison; None while a run is not stored yet."""
        return ",".join(self.ids) if all(self.ids) else None

    def link(self) -> str | None:
        value = self.query_value()
        return f"compare?{QUERY_KEY}={value}" if value else None

    def start_running(self) -> None:
        """An epoch starts running in slices."""
        self.running = True

    def stop_running(self) -> None:
        """The epoch running in slices stops (done, stopped, or interrupted)."""
        self.running = False

    def problems(self) -> list[Reason]:
        return lockstep_problems(self.trainers)

    def live(self) -> list[Trainer]:
        """The runs still training (not stopped by overflow)."""
        return [trainer for trainer in self.trainers if trainer.stopped_reason is None]

    def step_count(self) -> int:
        """The position of the runs still training (of all of them, once every one has stopped)."""
        return max(trainer.step_count for trainer in (self.live() or self.trainers))

    def shared_start(self) -> bool:
        """Every run started from the same θ0 (the classic sets do)."""
        first = self.trainers[0].initial_params.flatten()
        return all((trainer.initial_params.flatten() == first).all() for trainer in self.trainers[1:])

    def train(self, n, should_stop=None) -> int:
        """Every run still training takes the same next n samples (fewer if should_stop()); each run's log records them."""
        before = [(trainer.step_count, trainer.stopped_reason) for trainer in self.trainers]
        done = train_in_lockstep(self.trainers, n, should_stop)
        for run, (step, stopped) in zip(self.runs, before):
            # A step refused for overflow is in the log too, so the replayed run stops where this one did.
            samples = run.trainer.step_count - step + (run.trainer.stopped_reason is not None and stopped is None)
            trainer = run.live.trained(run.trainer, samples)
            if trainer is not run.trainer:  # another tab moved this run on: it is shown as stored
                run.tracked = TrackedRun(trainer)
                self.running = False
            self.notices += [Reason("lab.compared_run_notice", run=run, notice=notice)
                             for notice in run.live.take_notices()]
        return done

    def take_notices(self) -> list[Reason]:
        notices, self.notices = self.notices, []
        return notices


# A compared run keeps no timeline in memory (LiveRun.timeline = None): the Compare screen shows no past
# step, and a timeline's keyframes take up to 7.5 MB a run. Its log is complete in the store, so the
# run's own ?run= link opens it on Train with its whole past (read from the store then).


def _compared(lives: list[LiveRun], trainers: list[Trainer], origin: Reason) -> Comparison:
    settings = tuple(trainer.settings for trainer in trainers)
    runs = [ComparedRun(live, TrackedRun(trainer), place, settings)
            for place, (live, trainer) in enumerate(zip(lives, trainers))]
    return Comparison(runs, origin)


def from_start(handle: StoreHandle, data, start: Trainer, settings_list, what: str) -> Comparison:
    """New stored runs, one per settings, from the initial weights θ0 of the trainer `start`.

    `what` names the set: a message marked with N_(), said with the set's origin where it is shown.

    Same seed and initialisation give the same θ0, so each run simply starts from its settings. A
    run that started from an uploaded checkpoint may have a θ0 its seed does not give: then each new
    run is stored as starting from a checkpoint of that θ0 at step 0, so its link replays it exactly.
    """
    seeded = starts_from_seed(start)
    lives, trainers = [], []
    for settings in settings_list:
        live = LiveRun(handle, data)
        if seeded:
            trainer = Trainer(settings, *data)
            live.start_new(trainer)
        else:
            trainer = trainer_from_weights(settings, start.initial_params, data)
            live.start_new(trainer, save_checkpoint(trainer))
        live.timeline = None  # no past steps kept in memory: see the note above _compared
        lives.append(live)
        trainers.append(trainer)
    seed, init = start.settings.seed, start.settings.init
    where = (Reason("lab.theta0_of_seed", seed=seed, init=init) if seeded else
             Reason("lab.theta0_of_checkpoint", seed=seed))
    comparison = _compared(lives, trainers, Reason("lab.set_from_seed", what=what, where=where))
    for live in lives:
        comparison.notices += live.take_notices()
    return comparison


def run_ids_in(text: str) -> tuple[list[str], list[Reason]]:
    """The run ids named in pasted text or a ?compare= value, and what is wrong with the rest.

    Accepted, separated by commas, spaces or new lines: bare run ids, run links (…?run=ID…) and
    comparison links (…?compare=ID1,ID2…). Each id is named once, in the order given.
    """
    text = str(text)
    if len(text) > MAX_LINK_CHARACTERS:
        return [], [Reason("lab.text_too_long", length=len(text))]
    ids, problems = [], []
    for token in re.split(r"[\s,]+", text.strip()):
        if not token:
            continue
        for candidate in _ids_of(token):
            try:
                run_id = check_run_id(candidate)
            except MalformedRunId:
                problems.append(Reason("lab.not_a_run_id", text=candidate))
                continue
            if run_id not in ids:
                ids.append(run_id)
    if not ids and not problems:
        problems.append(Reason("lab.no_run_named"))
    return ids, problems


def _ids_of(token: str) -> list[str]:
    """A bare id as it is; from a link, its run= value and each id of its compare= value."""
    if "=" not in token:
        return [token]
    query = parse_qs(urlsplit(token).query or token.split("?", 1)[-1])
    found = query.get("run", []) + [part for value in query.get(QUERY_KEY, []) for part in value.split(",") if part]
    return found or [token]


def open_link(handle: StoreHandle, data, text: str) -> tuple[Comparison | None, list[Reason]]:
    """The comparison of the runs named in `text` (see run_ids_in), or None and every reason it cannot be."""
    ids, problems = run_ids_in(text)
    return (None, problems) if problems else open_runs(handle, data, ids)


def open_runs(handle: StoreHandle, data, ids: list[str]) -> tuple[Comparison | None, list[Reason]]:
    """The comparison of these stored runs at their stored positions, or None and every reason it cannot be."""
    if not MIN_RUNS <= len(ids) <= MAX_RUNS:
        return None, [Reason("lab.how_many_named", low=MIN_RUNS, high=MAX_RUNS, count=len(ids))]
    store = handle.get()
    if store is None:
        return None, [Reason("lab.compare_unreachable")]
    lives, trainers, problems = [], [], []
    for run_id in ids:
        try:
            trainer, length = trainer_at(store, run_id, data)
            member = store.member_of_run(run_id)
            if member is not None and not store.class_info(member.class_id).is_open():
                problems.append(Reason("lab.run_class_ended", run=run_id))
                continue
            store.touch(run_id)
        except UnknownRun:
            problems.append(Reason("lab.run_not_found", run=run_id))
            continue
        except StoreUnavailable:
            return None, [Reason("lab.compare_unreachable")]
        except (StoreError, CheckpointError, ValueError) as error:
            problems.append(Reason("lab.run_unusable", run=run_id, reason=error))
            continue
        live = LiveRun(handle, data)
        live.run_id, live.settings, live.length = run_id, trainer.settings, length
        live.parent = store.run_info(run_id).parent
        lives.append(live)
        trainers.append(trainer)
    if problems:
        return None, problems
    problems = lockstep_problems(trainers)
    if problems:
        steps = [(run_id, trainer.step_count) for run_id, trainer in zip(ids, trainers)]
        return None, problems + [Reason("lab.runs_at_steps", runs=steps)]
    count = len(ids)
    return _compared(lives, trainers, Reason("lab.opened_by_links", count=count)), []
