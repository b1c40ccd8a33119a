"""The classroom benchmark's --class rows: students join and step, without and with the teacher's dashboard.

Each row starts its servers on a throwaway store and measures the students' Step times and the server CPU
of one dashboard refresh; the table and the other rows' verdicts are bench/classroom_report.py's.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time

from bench.classroom_report import Row, percentile
from bench.classroom_scripts import Script, click_step_on_train
from bench.classroom_store import class_store
from bench.learners import Learner
from bench.wire_session import LearnerError
from deploy.processes import StreamlitProcess
from deploy.proxy import find_nginx
from deploy.serve import Cluster
from lab.progress_writer import ACCURACY_SECONDS, FLUSH_SECONDS

CLASS_REFRESHES = 10  # dashboard refreshes back to back for the CPU figure
REFRESH_TARGET_MS = 300
DASHBOARD_TARGET = 0.10  # the students' Step p95 at most 10% above the same class without the dashboard


async def student_script(learner: Learner, class_id: str, script: Script, row: Row, start_delay: float) -> None:
    """Join the class under the learner's name, open Train, click Step once a second; problems go in the row."""
    await asyncio.sleep(start_delay)
    try:
        await learner.open(page="teach", query_string=f"join={class_id}")
        learner.type_text("Your name", learner.name)
        await learner.click("Join the class")
        if learner.find_text("Your run's link") is None:
            raise LearnerError(f"not in the class after joining: {learner.texts[:4]}")
        await click_step_on_train(learner, script, row)
    except LearnerError as error:
        row.errors.append(f"{learner.name}: {error}")
    row.errors.extend(f"{learner.name}: {message}" for message in learner.errors)
    row.replicas[learner.replica or "-"] = row.replicas.get(learner.replica or "-", 0) + 1


def dashboard_rows(teacher: Learner) -> int:
    """Rows of the dashboard's table as the teacher's screen holds it (0 before any student joined)."""
    tables = [element for element in teacher.elements
              if element.kind == "bidi_component" and element.payload.component_name == "backprop_class_table"]
    if not tables:
        return 0
    return len(json.loads(tables[0].payload.json)["rows"])


async def warm_class_screens(server) -> None:
    """Open the Teach and Train screens once in each process before the class, as the other rows' baseline
    session does: the first run of a screen compiles it, and a class's first clicks should not pay that."""
    for process in getattr(server, "replicas", [server]):
        async with Learner(process.url, name="warm-up", timeout=300) as learner:
            await learner.open(page="teach")
            await learner.open(page="train")


async def run_class_session(row: Row, url: str, server, class_id: str, secret: str, script: Script,
                            dashboard: bool, seed: int) -> None:
    await warm_class_screens(server)
    teacher = None
    if dashboard:
        teacher = Learner(url, name="teacher", timeout=300)
        await teacher.connect()
        await teacher.open(page="teach", query_string=f"class={class_id}&key={secret}")
        if teacher.find_text("Join link for the students") is None:
            row.errors.append(f"teacher: no dashboard: {teacher.texts[:4]}")
    learners = [Learner(url, name=f"student {number + 1}") for number in range(row.learners)]
    row.baseline_sessions, row.rss_base = 0, server.rss_bytes()
    await asyncio.gather(*(learner.connect() for learner in learners))
    server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
    delays = random.Random(seed)
    await asyncio.gather(*(student_script(learner, class_id, script, row, delays.uniform(0, script.pause))
                           for learner in learners))
    row.server_cpu += server.cpu_seconds() - server_cpu
    row.client_cpu += time.process_time() - client_cpu
    row.requests += sum(len(learner.runs) for learner in learners)
    row.sessions = len(learners) + bool(teacher)
    row.rss_run = row.rss_closed = server.rss_bytes()
    row.rss_by_class.append((row.rss_run, row.rss_closed))  # the sessions are not waited out here
    if teacher is not None:
        refreshes = [run.seconds for run in teacher.runs if run.action == "auto rerun"]
        row.other_seconds["dashboard refresh (under load)"] = refreshes
        # the students' last rows written, their last accuracies measured: the servers are idle again
        await asyncio.sleep(ACCURACY_SECONDS + 2 * FLUSH_SECONDS)
        await measure_refresh(row, teacher, server)
        row.errors.extend(f"teacher: {message}" for message in teacher.errors)
        await teacher.close()
    await asyncio.gather(*(learner.close() for learner in learners))


async def measure_refresh(row: Row, teacher: Learner, server) -> None:
    """Server CPU of one dashboard refresh with every student's row in it, net of the idle servers' upkeep."""
    for task in teacher._state.auto_reruns.values():  # only our own refreshes from here on
        task.cancel()
    idle_started, idle_cpu = time.perf_counter(), server.cpu_seconds()
    await asyncio.sleep(5)
    idle_rate = (server.cpu_seconds() - idle_cpu) / (time.perf_counter() - idle_started)
    await teacher.rerun_fragment()  # warm
    started, cpu = time.perf_counter(), server.cpu_seconds()
    seconds = [(await teacher.rerun_fragment()).seconds for _ in range(CLASS_REFRESHES)]
    elapsed = time.perf_counter() - started
    row.refresh_cpu = (server.cpu_seconds() - cpu - idle_rate * elapsed) / CLASS_REFRESHES
    row.other_seconds["dashboard refresh (quiet)"] = seconds
    shown = dashboard_rows(teacher)
    row.notes.append(f"dashboard: {shown} students in its table; idle upkeep {idle_rate * 1000:.1f} ms/s subtracted")
    if shown != row.learners:
        row.errors.append(f"teacher: the dashboard shows {shown} students, not {row.learners}")


def run_class_row(name: str, learners: int, args, script: Script, *, dashboard: bool, cluster: bool) -> Row:
    from core.classwork.lesson import Lesson
    from core.classwork.tasks import CATALOGUE
    from runs.store import RunStore

    row = Row(name, learners)
    flags = ("--server.disconnectedSessionTTL", str(args.ttl))
    server = (Cluster(args.app, replicas=args.replicas, streamlit_args=flags) if cluster
              else StreamlitProcess(args.app, extra_args=flags))
    with server:
        store = RunStore(os.environ["BACKPROP_STORE"])
        class_id, secret = store.create_class(name, Lesson(tasks=tuple(task.id for task in CATALOGUE)),
                                              time.time() + 86400)
        store.close()
        asyncio.run(run_class_session(row, server.url, server, class_id, secret, script, dashboard, learners))
    return row


def run_class_rows(args, script: Script, learners: int) -> list[Row]:
    rows = []
    topologies = [("1 process", False)]
    if not args.no_nginx and find_nginx() is not None:
        topologies.append((f"nginx, {args.replicas} replicas", True))
    with class_store() as kind:
        print(f"class rows on {kind}")
        for topology, cluster in topologies:
            # without, with, with, without: a drift in the machine's load (other work on its cores) weighs on
            # both sides alike, and each side's p95 is taken over its two rows together
            for dashboard in (False, True, True, False):
                name = f"class, {topology}" + (" + dashboard" if dashboard else "")
                print(f"running: {name}, N = {learners} ...", flush=True)
                rows.append(run_class_row(name, learners, args, script, dashboard=dashboard, cluster=cluster))
    return rows


def print_class_verdicts(rows: list[Row]) -> None:
    print()
    steps: dict[str, list[float]] = {}  # each row name's Step times over its rows together
    for row in rows:
        steps.setdefault(row.name, []).extend(row.step_seconds)
    for name, with_dashboard in steps.items():
        without = steps.get(name.removesuffix(" + dashboard"))
        if not name.endswith(" + dashboard") or not without or not with_dashboard:
            continue
        off, on = percentile(without, 0.95) * 1000, percentile(with_dashboard, 0.95) * 1000
        verdict = "met" if on <= off * (1 + DASHBOARD_TARGET) else "MISSED"
        print(f"target dashboard cost, {name.removesuffix(' + dashboard')}: Step p95 {off:.0f} ms without, {on:.0f} ms "
              f"with the dashboard ({100 * (on / off - 1):+.0f}%; at most +{DASHBOARD_TARGET:.0%}; "
              f"{len(without)} and {len(with_dashboard)} clicks): {verdict}")
    for row in rows:
        if row.refresh_cpu is not None:
            ms = row.refresh_cpu * 1000
            print(f"target dashboard refresh, {row.name}, N = {row.learners}: {ms:.0f} ms of server CPU per refresh "
                  f"<= {REFRESH_TARGET_MS} ms: {'met' if ms <= REFRESH_TARGET_MS else 'MISSED'}")
