"""A classroom on one server: how fast Step answers when 1, 10 or 30 learners train at once.

    .venv/bin/python bench/classroom_load.py            # the full table (about 4 minutes)
    .venv/bin/python bench/classroom_load.py --quick    # the same rows, smaller (about 1 minute)

Each row starts fresh servers (`streamlit run app.py` on a free localhost port, or two replicas
behind nginx through deploy/serve.py) and seats N protocol-level learners (bench/learners.py).
Every learner runs one fixed, bounded script, starting at a random moment within the first pause:
open Train; 20 times click Step and wait a second; click Step ×100 twice; open Weights and the
Loss surface; then it leaves. Reported per row:

- Step: click to script_finished, median and p95 (the learner's own clock; no drawing); the
  medians of Step ×100 and of a page switch.
- CPU/req: the servers' CPU time during the class divided by the learners' requests. On one core,
  30 learners clicking once a second leave each click about 30 ms; above that they queue.
- Memory: the servers' resident set (VmRSS) with one warmed-up session per process (RSS base),
  after the run with every session still connected (RSS run; MB/sess is its growth over the base
  per added session), and after they left and Streamlit dropped them (RSS after; the servers run
  with a short server.disconnectedSessionTTL). CPython keeps freed memory for reuse, so RSS after
  stays near RSS run; --classes 2 shows whether a second class reuses it or grows.
- Errors: exceptions on screen, failed requests; "mixed": a position text that did not advance
  by exactly the learner's own clicks (another session's model showing through).

The rows: N = 1, 10, 30 on one process; N = 30 on one process while one more learner keeps
clicking "Run to end of epoch"; N = 30 through nginx to two replicas. --browser adds one real
Chromium tab beside the N = 30 row that clicks Step like a learner and checks that every screen
the learners open also draws. The benchmark and the server share this machine's cores, as they
would not in a classroom, so the figures are on the pessimistic side.

--store picks the servers' run store: "default" (BACKPROP_STORE as set, else the app's SQLite file),
"off" (no store), "postgres" (a throwaway PostgreSQL server shared by the replicas), or "compare":
every row twice, without the store and with PostgreSQL, then the Step p95 of each pair (issue 14's
target: at most 10% more with the store).

--class runs a class instead (issue 17), on a throwaway PostgreSQL (a SQLite file in a temporary
folder where PostgreSQL is not installed): N students join through the join link (the Teach
screen's form), open Train and click Step once a second; the same without and with the teacher's
dashboard open (it refreshes itself every 5 s), on one process and on two replicas behind nginx.
The rows run without, with, with and without the dashboard, so a drift in the machine's load weighs
on both sides; it prints the students' Step p95 of each side, over its two rows together (target: at
most 10% more with the dashboard), and
the server CPU of one dashboard refresh for N students (target: at most 300 ms), measured after
the students stopped clicking: ten refreshes back to back, less the servers' idle upkeep.

    .venv/bin/python -m bench.classroom_load --class     # about 8 minutes
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.learners import Learner, train_step  # noqa: E402
from bench.wire_session import LearnerError  # noqa: E402
from deploy.processes import ServeError, StreamlitProcess  # noqa: E402
from deploy.proxy import find_nginx  # noqa: E402
from deploy.serve import Cluster  # noqa: E402
from lab.progress_writer import ACCURACY_SECONDS, FLUSH_SECONDS  # noqa: E402

MB = 1024 * 1024
TARGETS = {  # row name -> Step p95 limit in ms (issue 7)
    "1 process": 1000,
    "1 process + epoch": 2000,
    "nginx, 2 replicas": 600,
}
MEMORY_TARGET_MB = 25


@dataclass
class Script:
    """What every learner does (the flags can shrink it for a quick run)."""

    steps: int = 20
    pause: float = 1.0
    big_steps: int = 2
    pages: tuple[str, ...] = ("weights", "loss surface")


@dataclass
class Row:
    name: str
    learners: int
    step_seconds: list[float] = field(default_factory=list)
    other_seconds: dict[str, list[float]] = field(default_factory=dict)
    sessions: int = 0  # connected during the run: the learners, plus the epoch runner if any
    baseline_sessions: int = 1  # one warmed-up session per server process
    rss_base: int = 0
    rss_run: int = 0
    rss_closed: int = 0
    rss_by_class: list[tuple[int, int]] = field(default_factory=list)  # (run, after close) per class
    server_cpu: float = 0.0  # seconds, all classes
    client_cpu: float = 0.0  # this benchmark process, all classes
    requests: int = 0  # opens and clicks the learners made (not the browser's)
    errors: list[str] = field(default_factory=list)
    mixed: int = 0
    replicas: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    refresh_cpu: float | None = None  # seconds of server CPU per dashboard refresh (class rows with a teacher)

    @property
    def per_session_mb(self) -> float | None:
        """Growth over the one-session baseline, per additional session (first class)."""
        if self.sessions <= self.baseline_sessions:
            return None
        return ((self.rss_by_class[0][0] - self.rss_base)
                / (self.sessions - self.baseline_sessions) / MB)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: a value some click really took)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


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


async def warm_session(url: str, pages: tuple[str, ...], epoch: bool) -> tuple[Learner, list[str]]:
    """One learner that has seen every screen of the script (and, for the epoch row, trained an
    epoch, so one-time costs of the process are in the baseline): the single-session baseline."""
    learner = Learner(url, name="baseline", timeout=900)
    await learner.connect()
    await learner.open(page="train")
    await learner.click("Run to end of epoch" if epoch else "Step")
    missing = [page for page in pages if page.lower() not in learner.pages]
    for page in pages:
        if page not in missing:
            await learner.open(page=page)
    return learner, missing


async def run_row(row: Row, url: str, server, script: Script, *, ttl: int, epoch: bool,
                  browser: bool, seed: int, classes: int) -> None:
    """Baseline, then the classes; `server` is a StreamlitProcess or a Cluster."""
    # Each process gets its baseline session directly (behind nginx the cookie would pick).
    processes = getattr(server, "replicas", [server])
    row.baseline_sessions = len(processes)
    baselines = [await warm_session(process.url, script.pages, epoch) for process in processes]
    missing = baselines[0][1]
    if missing:
        row.notes.append(f"pages not in the app, skipped: {', '.join(missing)}")
        script = Script(script.steps, script.pause, script.big_steps,
                        tuple(p for p in script.pages if p not in missing))
    for baseline, _ in baselines:
        row.errors.extend(f"baseline: {message}" for message in baseline.errors)
    await asyncio.sleep(0.5)
    row.rss_base = server.rss_bytes()
    for baseline, _ in baselines:
        await baseline.close()
    random_delays = random.Random(seed)
    for number in range(classes):
        await run_class(row, url, server, script, ttl=ttl, epoch=epoch, browser=browser and number == 0,
                        delays=random_delays, name=f"class{number + 1}-")
    row.rss_run, row.rss_closed = row.rss_by_class[-1]


async def run_class(row: Row, url: str, server, script: Script, *, ttl: int, epoch: bool,
                    browser: bool, delays: random.Random, name: str) -> None:
    """One class: N learners arrive, run the script, leave; then Streamlit drops their sessions."""
    server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
    learners = [Learner(url, name=f"{name}learner{i + 1}") for i in range(row.learners)]
    await asyncio.gather(*(learner.connect() for learner in learners))
    done = asyncio.Event()
    background = []
    if epoch:
        runner = Learner(url, name=f"{name}epoch", timeout=900)
        await runner.connect()
        background.append(asyncio.create_task(epoch_runner(runner, done, row)))
    if browser:
        background.append(asyncio.create_task(browser_session(url, script, row, done)))
    await asyncio.gather(*(learner_script(learner, script, row, delays.uniform(0, script.pause))
                           for learner in learners))
    done.set()
    await asyncio.gather(*background)
    if epoch:
        learners.append(runner)
    row.sessions = len(learners)
    row.server_cpu += server.cpu_seconds() - server_cpu
    row.client_cpu += time.process_time() - client_cpu
    row.requests += sum(len(learner.runs) for learner in learners)
    rss_run = server.rss_bytes()

    await asyncio.gather(*(learner.close() for learner in learners))
    # Streamlit forgets a disconnected session only when its session store is next written after
    # the TTL: one more visitor (connect, leave) after the TTL is what a real server sees.
    await asyncio.sleep(ttl + 1)
    async with Learner(url, name="probe") as probe:
        await probe.open()
    await asyncio.sleep(1)
    row.rss_by_class.append((rss_run, server.rss_bytes()))


async def browser_session(url: str, script: Script, row: Row, done: asyncio.Event) -> None:
    """One real Chromium tab beside the learners: Step latency to the redrawn page, and each
    screen the learners open checked for drawn figures and no exception."""
    from playwright.async_api import async_playwright

    from deploy.browser import CHROMIUM_FLAGS, chromium_path

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            await page.goto(url + "/train")
            step_button = page.get_by_role("button", name="Step", exact=True)
            await step_button.wait_for(timeout=60_000)
            await settled(page)
            for _ in range(script.steps):
                text_ms, settled_ms = await page.evaluate(CLICK_AND_MEASURE)
                row.other_seconds.setdefault("browser: text", []).append(text_ms / 1000)
                row.other_seconds.setdefault("browser: redrawn", []).append(settled_ms / 1000)
                await asyncio.sleep(script.pause)
            for name in script.pages:
                before = page.url
                link = page.locator('[data-testid="stSidebarNav"] a', has_text=name.capitalize())
                await link.first.click()
                await page.wait_for_function("url => location.href !== url", arg=before)
                await settled(page)
                row.notes.append(f"browser, {name}: {await describe_drawing(page)}")
        except Exception as error:  # the browser check reports; it must not hide the table
            row.errors.append(f"browser: {error!r}"[:300])
        finally:
            await browser.close()


async def settled(page) -> None:
    """Wait until Streamlit has finished the run and no element is stale."""
    await page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 && !document.querySelector('[data-stale="true"]')""", timeout=120_000)
    await page.wait_for_timeout(300)


async def describe_drawing(page) -> str:
    """Wait (up to 30 s) for every chart on the screen to draw, then say what is there."""
    try:
        await page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                     .every(chart => chart.querySelector('.main-svg'))""", timeout=30_000)
    except Exception:
        pass  # reported below as charts not drawn
    report = await page.evaluate(
        """() => {
            const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
            return {
                exceptions: document.querySelectorAll('[data-testid="stException"]').length,
                images: [...document.querySelectorAll('[data-testid="stMain"] img')]
                    .filter(img => img.complete && img.naturalWidth > 0).length,
                charts: charts.length,
                drawn: charts.filter(chart => chart.querySelector('.main-svg')).length,
                webgl: charts.filter(chart => [...chart.querySelectorAll('canvas')]
                    .some(canvas => canvas.width > 0 && canvas.height > 0)).length,
            };
        }""")
    verdict = "ok" if report["exceptions"] == 0 and report["drawn"] == report["charts"] else "PROBLEM"
    return (f"{verdict}: {report['exceptions']} exceptions, {report['images']} images, "
            f"{report['drawn']} of {report['charts']} plotly charts drawn "
            f"({report['webgl']} with a WebGL canvas)")


# Clicks Step in the page and measures, with the page's own clock, until the position text shows
# the next step, then until no element is stale (everything redrawn).
CLICK_AND_MEASURE = """async () => {
    const button = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Step');
    const position = () => (document.body.innerText.match(/Step ([\\d,]+) ·/) || [])[1];
    const before = parseInt((position() || '0').replace(/,/g, ''));
    const t0 = performance.now();
    let textAt = null;
    await new Promise(resolve => {
        const check = () => {
            const now = parseInt((position() || '-1').replace(/,/g, ''));
            if (textAt === null && now === before + 1) textAt = performance.now();
            if (textAt !== null && !document.querySelector('[data-stale="true"]')
                    && !document.querySelector('[data-testid="stStatusWidget"]')) {
                observer.disconnect(); resolve();
            }
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
        button.click();
    });
    return [textAt - t0, performance.now() - t0];
}"""


def run_single(name: str, learners: int, args, script: Script, *, epoch: bool = False,
               browser: bool = False) -> Row:
    row = Row(name, learners)
    flags = ("--server.disconnectedSessionTTL", str(args.ttl))
    with StreamlitProcess(args.app, extra_args=flags) as app:
        asyncio.run(run_row(row, app.url, app, script, ttl=args.ttl, epoch=epoch,
                            browser=browser, seed=learners, classes=args.classes))
    return row


def run_cluster(name: str, learners: int, args, script: Script) -> Row:
    row = Row(name, learners)
    flags = ("--server.disconnectedSessionTTL", str(args.ttl))
    with Cluster(args.app, replicas=args.replicas, streamlit_args=flags) as cluster:
        asyncio.run(run_row(row, cluster.url, cluster, script, ttl=args.ttl, epoch=False,
                            browser=False, seed=learners, classes=args.classes))
    return row


def print_table(rows: list[Row]) -> None:
    header = (f"{'row':<34} {'N':>3} {'Step med':>9} {'Step p95':>9} {'×100 med':>9} {'page med':>9} "
              f"{'CPU/req':>8} {'RSS base':>10} {'RSS run':>8} {'MB/sess':>8} {'RSS after':>9} "
              f"{'errors':>6} {'mixed':>5}")
    print(header)
    print("-" * len(header))
    def ms(values: list[float] | None, fraction: float = 0.5) -> str:
        if not values:
            return f"{'-':>9}"
        value = statistics.median(values) if fraction == 0.5 else percentile(values, fraction)
        return f"{value * 1000:7.0f}ms"

    for row in rows:
        per_session = f"{row.per_session_mb:8.1f}" if row.per_session_mb is not None else f"{'-':>8}"
        print(f"{row.name:<34} {row.learners:>3} {ms(row.step_seconds)} {ms(row.step_seconds, 0.95)} "
              f"{ms(row.other_seconds.get('Step ×100'))} {ms(row.other_seconds.get('open page'))} "
              f"{row.server_cpu / max(row.requests, 1) * 1000:6.0f}ms {row.rss_base / MB:8.0f}MB {row.rss_run / MB:6.0f}MB "
              f"{per_session} {row.rss_closed / MB:7.0f}MB {len(row.errors):>6} {row.mixed:>5}")


def print_details(rows: list[Row]) -> None:
    for row in rows:
        lines = [f"server CPU {row.server_cpu:.1f} s, this benchmark's CPU {row.client_cpu:.1f} s, "
                 f"for {row.requests} learner requests"]
        if "epoch" in row.other_seconds:
            epochs = row.other_seconds["epoch"]
            lines.append(f"epoch runs beside it: {len(epochs)}, {statistics.median(epochs):.1f} s median each")
        if len(row.replicas) > 1 or "-" not in row.replicas:
            lines.append("learners per replica: " + ", ".join(f"{k} {v}" for k, v in sorted(row.replicas.items())))
        for key in ("browser: text", "browser: redrawn", "dashboard refresh (under load)", "dashboard refresh (quiet)"):
            if row.other_seconds.get(key):
                values = row.other_seconds[key]
                what = key if key.startswith("dashboard") else f"{key} after Step"
                lines.append(f"{what}: median {statistics.median(values) * 1000:.0f} ms, "
                             f"p95 {percentile(values, 0.95) * 1000:.0f} ms, {len(values)} of them")
        if row.refresh_cpu is not None:
            lines.append(f"server CPU per dashboard refresh: {row.refresh_cpu * 1000:.0f} ms")
        if len(row.rss_by_class) > 1:
            lines.append("RSS per class (run / after they left): " + ", ".join(
                f"{run / MB:.0f}/{left / MB:.0f} MB" for run, left in row.rss_by_class))
        lines.extend(row.notes)
        # The same failure seen by many learners is one line, with who saw it first.
        grouped: dict[str, list[str]] = {}
        for error in row.errors:
            who, _, what = error.partition(": ")
            grouped.setdefault(what, []).append(who)
        for what, who in list(grouped.items())[:10]:
            lines.append(f"error ({len(who)}x, first {who[0]}): {what}")
        if len(grouped) > 10:
            lines.append(f"... and {len(grouped) - 10} more kinds of error")
        print(f"\n{row.name}, N = {row.learners}:")
        for line in lines:
            print(f"  {line}")


def print_verdicts(rows: list[Row]) -> None:
    print()
    for row in rows:
        limit = TARGETS.get(row.name.split(" [")[0])
        if limit is not None and row.learners >= 30 and row.step_seconds:
            p95 = percentile(row.step_seconds, 0.95) * 1000
            print(f"target {row.name}, N = {row.learners}: Step p95 {p95:.0f} ms <= {limit} ms: "
                  f"{'met' if p95 <= limit else 'MISSED'}")
        if row.per_session_mb is not None:
            print(f"target memory, {row.name}, N = {row.learners}: {row.per_session_mb:.1f} MB per session "
                  f"<= {MEMORY_TARGET_MB} MB: {'met' if row.per_session_mb <= MEMORY_TARGET_MB else 'MISSED'}")


@contextlib.contextmanager
def store_environment(kind: str):
    """BACKPROP_STORE for the servers started inside (they inherit this process's environment)."""
    before = os.environ.get("BACKPROP_STORE")
    with contextlib.ExitStack() as stack:
        if kind == "off":
            os.environ["BACKPROP_STORE"] = "off"
        elif kind == "postgres":
            from runs.postgres_server import create_database, temporary_server

            server = stack.enter_context(temporary_server())
            os.environ["BACKPROP_STORE"] = create_database(server, "classroom")
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("BACKPROP_STORE", None)
            else:
                os.environ["BACKPROP_STORE"] = before


def print_store_comparison(rows: list[Row]) -> None:
    by_name = {row.name: row for row in rows}
    print()
    for row in rows:
        if not row.name.endswith("[store off]") or not row.step_seconds:
            continue
        other = by_name.get(row.name.replace("[store off]", "[PostgreSQL]"))
        if other is None or not other.step_seconds:
            continue
        off, on = percentile(row.step_seconds, 0.95) * 1000, percentile(other.step_seconds, 0.95) * 1000
        print(f"store cost, {row.name.split(' [')[0]}, N = {row.learners}: Step p95 {off:.0f} ms without, "
              f"{on:.0f} ms with PostgreSQL ({100 * (on / off - 1):+.0f}%; target at most +10%)")


# --- a class: students who join through the join link, and a teacher's dashboard ------------------------

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
    import pyarrow as pa

    tables = [element for element in teacher.elements if element.kind == "dataframe"]
    if not tables:
        return 0
    return pa.ipc.open_stream(tables[0].payload.arrow_data.data).read_all().num_rows


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


@contextlib.contextmanager
def class_store():
    """A throwaway PostgreSQL for the class rows (shared by the replicas), else a SQLite file in a temporary folder."""
    from runs.postgres_server import postgres_programs

    if postgres_programs() is not None:
        with store_environment("postgres"):
            yield "PostgreSQL"
        return
    before = os.environ.get("BACKPROP_STORE")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["BACKPROP_STORE"] = os.path.join(folder, "runs.sqlite3")
        try:
            yield "SQLite (PostgreSQL is not installed)"
        finally:
            if before is None:
                os.environ.pop("BACKPROP_STORE", None)
            else:
                os.environ["BACKPROP_STORE"] = before


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="small run: N = 1, 5; 5 Steps half a second apart; one Step ×100")
    parser.add_argument("--learners", help="comma-separated N for the one-process rows (default 1,10,30)")
    parser.add_argument("--classroom", type=int, help="N for the epoch and nginx rows (default: largest N)")
    parser.add_argument("--steps", type=int, help="Step clicks per learner (default 20)")
    parser.add_argument("--pause", type=float, help="seconds between Step clicks (default 1)")
    parser.add_argument("--big-steps", type=int, help="Step ×100 clicks per learner (default 2)")
    parser.add_argument("--pages", help='pages opened at the end (default "weights,loss surface")')
    parser.add_argument("--no-epoch", action="store_true", help='skip the "Run to end of epoch" row')
    parser.add_argument("--no-nginx", action="store_true", help="skip the nginx row")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--browser", action="store_true", help="add one real Chromium tab to the classroom row")
    parser.add_argument("--ttl", type=int, default=3, help="server.disconnectedSessionTTL for the servers (s)")
    parser.add_argument("--classes", type=int, default=1,
                        help="classes in a row on each server, to see whether memory is reused (default 1)")
    parser.add_argument("--app", default="app.py")
    parser.add_argument("--store", choices=("default", "off", "postgres", "compare"), default="default",
                        help="the servers' run store (default: as BACKPROP_STORE says); compare: off, then PostgreSQL")
    parser.add_argument("--class", dest="class_rows", action="store_true",
                        help="a class instead: students join and step, without and with the teacher's dashboard")
    args = parser.parse_args()

    script = Script()
    counts = [1, 10, 30]
    if args.quick:
        script = Script(steps=5, pause=0.5, big_steps=1)
        counts = [1, 5]
    if args.learners:
        counts = [int(n) for n in args.learners.split(",")]
    script = Script(args.steps if args.steps is not None else script.steps,
                    args.pause if args.pause is not None else script.pause,
                    args.big_steps if args.big_steps is not None else script.big_steps,
                    tuple(p.strip() for p in args.pages.split(",")) if args.pages else script.pages)
    classroom = args.classroom or max(counts)
    if args.browser and not shutil.which("chromium"):
        print("note: chromium not found, --browser ignored")
        args.browser = False
    if args.browser:
        print(f"note: the N = {classroom} one-process row runs with Chromium beside it on the same cores")

    if args.class_rows:
        print(f"student script: join the class, open Train; {script.steps} x (Step, wait {script.pause:g} s)")
        started = time.monotonic()
        try:
            rows = run_class_rows(args, script, classroom)
        except ServeError as error:
            print(f"could not start the app: {error}")
            return 1
        print(f"\n{len(rows)} rows in {time.monotonic() - started:.0f} s\n")
        print_table(rows)
        print_details(rows)
        print_class_verdicts(rows)
        return 1 if any(row.errors for row in rows) else 0
    print(f"learner script: open Train; {script.steps} x (Step, wait {script.pause:g} s); "
          f"{script.big_steps} x Step ×100; open {', '.join(script.pages) or 'nothing'}")
    rows = []
    started = time.monotonic()
    kinds = {"compare": ("off", "postgres")}.get(args.store, (args.store,))
    labels = {"off": " [store off]", "postgres": " [PostgreSQL]", "default": ""}
    try:
        for kind in kinds:
            label = labels[kind] if len(kinds) > 1 else ""
            with store_environment(kind):
                for count in counts:
                    print(f"running: 1 process, N = {count}{label} ...", flush=True)
                    rows.append(run_single("1 process" + label, count, args, script,
                                           browser=args.browser and count == classroom))
                if not args.no_epoch:
                    print(f"running: 1 process + epoch, N = {classroom}{label} ...", flush=True)
                    rows.append(run_single("1 process + epoch" + label, classroom, args, script, epoch=True))
                if not args.no_nginx:
                    if find_nginx() is None:
                        print("note: nginx not found, the replica row is skipped")
                    else:
                        print(f"running: nginx, {args.replicas} replicas, N = {classroom}{label} ...", flush=True)
                        rows.append(run_cluster(f"nginx, {args.replicas} replicas{label}", classroom, args, script))
    except ServeError as error:
        print(f"could not start the app: {error}")
        return 1
    print(f"\n{len(rows)} rows in {time.monotonic() - started:.0f} s\n")
    print_table(rows)
    print_details(rows)
    print_verdicts(rows)
    if len(kinds) > 1:
        print_store_comparison(rows)
    return 1 if any(row.errors for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
