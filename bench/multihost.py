"""Past one machine, measured: one class on one app host with two replicas, and on two app hosts with one each.

    .venv/bin/python -m bench.multihost             # 20 and 40 learners on both layouts, then a failover
    .venv/bin/python -m bench.multihost --quick     # 20 learners, shorter

Each layout is a deploy/topology.py topology (network namespaces on this machine: a database host, the
app hosts, a front nginx with cookie affinity). N learners (protocol-level, bench/learners.py) join one
class through the front and click Step once a second for --seconds; the same cores serve both layouts,
so the comparison shows what the network hop and the shared store cost, not a speed-up. Printed per row:

- Step p50 / p95: click sent to the rerun finished, every learner's clicks pooled;
- app CPU/click: CPU time of the app hosts (nginx, Streamlit; ended children included) over the clicking,
  divided by the clicks answered; db CPU/click the same for PostgreSQL's processes;
- commits/click and rows/click: PostgreSQL's own counters (pg_stat_database: transactions committed,
  read-only ones included, and rows inserted) over the same time, what sizing a database for N
  learners starts from (deploy/README.md);
- errors: anything a learner saw go wrong.

Then the failover row (two hosts, 20 learners): app-a is killed (SIGKILL to every process, its link
down) after 10 s of clicking; the failover time is from the kill to the first answered click of each
learner that had been on app-a (first and median), with the moved learners' clicks lost (0 expected).

The machine is shared: run it when it is quiet and compare rows within one sitting.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import drill  # noqa: E402
from bench.classroom_report import percentile  # noqa: E402
from deploy.topology import Topology, missing  # noqa: E402

FAILURE_AT = 10.0
# PostgreSQL 15's backends report their counters to pg_stat_database at most once a second while busy
# and within 10 s when idle: wait that long before reading them (the learners are idle meanwhile).
STATS_DELAY = 11.0


@dataclass
class Row:
    layout: str
    learners: int
    seconds: list[float] = field(default_factory=list)
    clicks: int = 0
    app_cpu: float = 0.0
    db_cpu: float = 0.0
    commits: int = 0
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    failover: list[float] = field(default_factory=list)  # kill to first answered click, per moved learner
    lost: int = 0


def database_counters(topology) -> tuple[int, int]:
    """(transactions committed, rows inserted) in the app's database so far."""
    with topology.database.admin() as admin:
        return admin.execute("SELECT xact_commit, tup_inserted FROM pg_stat_database "
                             "WHERE datname = current_database()").fetchone()


def new_class(topology, name: str) -> str:
    from core.classwork.lesson import Lesson
    from core.classwork.tasks import CATALOGUE
    from runs.store import RunStore

    store = RunStore(topology.database.url)
    try:
        class_id, _secret = store.create_class(name, Lesson(tasks=tuple(t.id for t in CATALOGUE)),
                                               time.time() + 3600)
    finally:
        store.close()
    return class_id


async def seat(topology, class_id: str, learners: int, prefix: str) -> list[drill.Seat]:
    seats = []
    for first in range(0, learners, 10):  # ten at a time: a class does not arrive in one instant
        seats += await asyncio.gather(*(drill.join(topology.url, class_id, f"{prefix} {number + 1}")
                                        for number in range(first, min(first + 10, learners))))
    return seats


async def clicking_row(topology, row: Row, seconds: float) -> None:
    seats = await seat(topology, new_class(topology, row.layout), row.learners, f"{row.layout} {row.learners}")
    await asyncio.sleep(STATS_DELAY)  # the seating's counters reach pg_stat_database before the first reading
    commits, rows = await asyncio.to_thread(database_counters, topology)
    app_cpu, db_cpu = topology.cpu_seconds(), topology.cpu_seconds("db")
    await asyncio.gather(*(drill.step(seat_, time.monotonic() + seconds) for seat_ in seats))
    row.app_cpu = topology.cpu_seconds() - app_cpu
    row.db_cpu = topology.cpu_seconds("db") - db_cpu
    await asyncio.sleep(STATS_DELAY)
    commits_after, rows_after = await asyncio.to_thread(database_counters, topology)
    row.commits, row.rows = commits_after - commits, rows_after - rows
    collect(row, seats)
    await asyncio.gather(*(seat_.learner.close() for seat_ in seats))


def collect(row: Row, seats: list[drill.Seat]) -> None:
    for seat_ in seats:
        row.seconds += seat_.seconds
        row.clicks += seat_.answered
        row.errors += [f"{seat_.name}: {error}" for error in seat_.errors]


async def failover_row(topology, row: Row, seconds: float) -> None:
    from runs.store import RunStore

    store = RunStore(topology.database.url)
    seats = await seat(topology, new_class(topology, "failover"), row.learners, "failover")
    lengths = drill.log_lengths(store, seats)
    for seat_ in seats:
        seat_.start_length = lengths[seat_.run_id]
    clicking = asyncio.gather(*(drill.step(seat_, time.monotonic() + seconds) for seat_ in seats))
    await asyncio.sleep(FAILURE_AT)
    killed = time.monotonic()
    await asyncio.to_thread(topology.kill_host, "app-a")
    await clicking
    moved = [seat_ for seat_ in seats if seat_.moved_to]
    row.failover = sorted(seat_.answered_after_move - killed for seat_ in moved if seat_.answered_after_move)
    problems = await drill.check_runs(topology.url, store, seats)
    row.lost = len(problems)
    row.errors += problems + [f"{seat_.name}: not told it moved" for seat_ in moved if not seat_.moved_notice]
    collect(row, [seat_ for seat_ in seats if not seat_.moved_to])  # latency of those the kill did not touch
    store.close()
    await asyncio.gather(*(seat_.learner.close() for seat_ in seats))


def print_rows(rows: list[Row]) -> None:
    header = (f"{'layout':<28} {'N':>3} {'clicks':>6} {'Step p50':>9} {'Step p95':>9} {'app CPU/click':>14} "
              f"{'db CPU/click':>13} {'commits/click':>14} {'rows/click':>11} {'errors':>6}")
    print(header)
    print("-" * len(header))
    for row in rows:
        if not row.seconds:
            print(f"{row.layout:<28} {row.learners:>3}  no click answered; errors: {row.errors[:3]}")
            continue
        clicks = max(row.clicks, 1)
        print(f"{row.layout:<28} {row.learners:>3} {row.clicks:>6} "
              f"{statistics.median(row.seconds) * 1000:7.0f}ms {percentile(row.seconds, 0.95) * 1000:7.0f}ms "
              f"{row.app_cpu / clicks * 1000:12.0f}ms {row.db_cpu / clicks * 1000:11.1f}ms "
              f"{row.commits / clicks:14.2f} {row.rows / clicks:11.2f} {len(row.errors):>6}")
    for row in rows:
        if row.failover:
            print(f"failover, {row.learners} learners over two hosts, {len(row.failover)} moved: kill to first "
                  f"answered click {row.failover[0]:.1f} s (first), {statistics.median(row.failover):.1f} s "
                  f"(median), {row.failover[-1]:.1f} s (last); runs with a lost or doubled click: {row.lost}")
        for error in row.errors[:5]:
            print(f"  {row.layout}, N={row.learners}: {error[:200]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 learners only, 20 s of clicking")
    parser.add_argument("--seconds", type=float, default=30.0, help="clicking time per row (default 30)")
    args = parser.parse_args()
    lacking = missing()
    if lacking:
        print("cannot simulate hosts here: " + "; ".join(lacking), file=sys.stderr)
        return 1
    sizes = (20,) if args.quick else (20, 40)
    seconds = 20.0 if args.quick else args.seconds
    rows = []
    for hosts, replicas in ((1, 2), (2, 1)):
        layout = f"{hosts} host(s) x {replicas} replica(s)"
        with Topology(hosts=hosts, replicas=replicas) as topology:
            for learners in sizes:
                rows.append(Row(layout, learners))
                asyncio.run(clicking_row(topology, rows[-1], seconds))
                print(f"{layout}, {learners} learners: done", file=sys.stderr, flush=True)
            if hosts == 2:
                rows.append(Row("2 hosts, app-a killed", 20))
                asyncio.run(failover_row(topology, rows[-1], max(seconds, 2 * FAILURE_AT)))
        assert topology.leftovers() == [], topology.leftovers()
    print_rows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
