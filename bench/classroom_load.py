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

This module starts the servers and seats the classes; beside it, bench/classroom_scripts.py is what a
learner does, classroom_report.py the figures and their table, classroom_browser.py the Chromium tab,
classroom_store.py the run store and classroom_dashboard.py the --class rows.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.classroom_browser import browser_session  # noqa: E402
from bench.classroom_dashboard import print_class_verdicts, run_class_rows  # noqa: E402
from bench.classroom_report import (Row, print_details, print_store_comparison, print_table,  # noqa: E402
                                    print_verdicts)
from bench.classroom_scripts import Script, epoch_runner, learner_script  # noqa: E402
from bench.classroom_store import store_environment  # noqa: E402
from bench.learners import Learner  # noqa: E402
from deploy.processes import ServeError, StreamlitProcess  # noqa: E402
from deploy.proxy import find_nginx  # noqa: E402
from deploy.serve import Cluster  # noqa: E402


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
