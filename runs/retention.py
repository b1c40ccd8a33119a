"""Retention: runs unused for RETENTION_DAYS go, then the least recently used until the store fits its size cap.

A class's run counts as used until the class ends; a run some kept run branched from is kept.
"""

import time

import sqlalchemy as sa

from runs.run_log import RETENTION_DAYS
from runs.schema import (
    checkpoints,
    class_creators,
    class_members,
    class_runs,
    classes,
    run_events,
    run_keyframes,
    run_snapshots,
    runs,
)

MAX_STORE_BYTES = 2 * 2**30


class Retention:
    """The pruning half of RunStore (runs/store.py): needs its _begin()."""

    def run_sizes(self) -> dict:
        """Bytes each run takes: its events, snapshots and the checkpoint it starts from."""
        sizes = {}
        with self._begin() as connection:
            for table, column, join in ((run_events, run_events.c.body, None),
                                        (run_snapshots, run_snapshots.c.blob, None),
                                        (run_keyframes, run_keyframes.c.blob, None),
                                        (run_events, checkpoints.c.content, checkpoints)):
                query = sa.select(table.c.run_id, sa.func.sum(sa.func.length(column)))
                if join is not None:
                    query = query.select_from(run_events.join(checkpoints, run_events.c.checkpoint == checkpoints.c.sha256))
                for run_id, size in connection.execute(query.group_by(table.c.run_id)):
                    sizes[run_id] = sizes.get(run_id, 0) + int(size or 0)
            for (run_id,) in connection.execute(sa.select(runs.c.id)):
                sizes.setdefault(run_id, 0)
        return sizes

    def prune(self, older_than_days=RETENTION_DAYS, max_bytes=MAX_STORE_BYTES, now=None) -> list[str]:
        """Remove runs unused for `older_than_days`, then the least recently used until the store fits max_bytes.

        A class's run counts as used until the class ends, so its retention starts then. A run that a
        kept run branched from is kept too: the branch replays through it. A class that ended
        `older_than_days` ago and has no run left goes too. Returns the ids of the runs removed.
        """
        now = time.time() if now is None else now
        ends = (sa.select(class_runs.c.run_id, classes.c.ends)
                .select_from(class_runs.join(class_members, class_runs.c.member_id == class_members.c.id)
                             .join(classes, class_members.c.class_id == classes.c.id))).subquery()
        with self._begin() as connection:
            rows = connection.execute(sa.select(runs.c.id, runs.c.touched, runs.c.parent, ends.c.ends)
                                      .select_from(runs.outerjoin(ends, runs.c.id == ends.c.run_id))).all()
        rows = sorted(rows, key=_last_used)
        sizes = self.run_sizes()
        total = sum(sizes.values())
        removed = []
        for row in rows:
            if _last_used(row) >= now - older_than_days * 86400 and total <= max_bytes:
                break
            removed.append(row.id)
            total -= sizes.get(row.id, 0)
        removed = _without_ancestors_of_kept(rows, removed)
        for start in range(0, len(removed), 500):
            self._remove(removed[start:start + 500])
        self._remove_ended_classes(now - older_than_days * 86400)
        return removed

    def _remove_ended_classes(self, before) -> None:
        """Classes that ended before `before` and have no run left, with their members."""
        with self._begin() as connection:
            members_with_runs = sa.select(class_runs.c.member_id)
            with_runs = sa.select(class_members.c.class_id).where(class_members.c.id.in_(members_with_runs))
            gone = sa.select(classes.c.id).where(classes.c.ends < before, classes.c.id.not_in(with_runs))
            connection.execute(sa.delete(class_members).where(class_members.c.class_id.in_(gone)))
            connection.execute(sa.delete(classes).where(classes.c.id.in_(gone)))
            connection.execute(sa.delete(class_creators).where(class_creators.c.created < before))

    def _remove(self, run_ids):
        with self._begin() as connection:
            for table in (run_events, run_snapshots, run_keyframes, class_runs):
                connection.execute(sa.delete(table).where(table.c.run_id.in_(run_ids)))
            connection.execute(sa.delete(runs).where(runs.c.id.in_(run_ids)))
            used = sa.select(run_events.c.checkpoint).where(run_events.c.checkpoint.is_not(None))
            connection.execute(sa.delete(checkpoints).where(checkpoints.c.sha256.not_in(used)))


def _last_used(row) -> float:
    """When a run was last used: its last touch, or its class's end if that is later."""
    return max(row.touched, row.ends or 0.0)


def _without_ancestors_of_kept(rows, removed) -> list[str]:
    """`removed` less every run some kept run descends from."""
    parents = {row.id: row.parent for row in rows}
    doomed = set(removed)
    needed = set()
    for run_id in parents:
        if run_id in doomed:
            continue
        parent, depth = parents.get(run_id), 0
        while parent is not None and parent not in needed and depth <= len(parents):
            needed.add(parent)
            parent, depth = parents.get(parent), depth + 1
    return [run_id for run_id in removed if run_id not in needed]
