"""How long each screen takes to open on a warm server: the request to script_finished, per screen.

    .venv/bin/python -m bench.screen_openings [--rounds 3]

Starts `streamlit run app.py` on a free port, warms the process (every screen opened once by a
throwaway learner, so imports, the dataset and per-process caches are loaded), then for each round
a fresh protocol-level learner (bench/learners.py) opens the first screen (a new session's first
screen) and every other screen in the navigation's order, timing each open: the server's work and
the messages to the learner, not the browser's drawing. Prints each screen's median over the rounds
and the first screen's; target (issue 24): none above 1 s once the process is warm.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.learners import Learner  # noqa: E402
from deploy.processes import StreamlitProcess  # noqa: E402

TARGET_SECONDS = 1.0


async def one_round(url: str) -> dict[str, float]:
    """A fresh session: its first screen, then every screen the navigation lists, each open timed."""
    times = {}
    async with Learner(url, name="openings") as learner:
        times["(first screen of a session)"] = (await learner.open()).seconds
        names: dict[str, str] = {}  # page hash -> its url pathname (or its title, for the default page)
        for name, page_hash in learner.pages.items():
            if name:
                names.setdefault(page_hash, name)
        for screen in names.values():
            times[screen] = (await learner.open(page=screen)).seconds
        if learner.errors:
            print("errors:", learner.errors)
    return times


async def measure(url: str, rounds: int) -> dict[str, list[float]]:
    await one_round(url)  # warm-up: every screen once in this process
    figures: dict[str, list[float]] = {}
    for _ in range(rounds):
        for screen, seconds in (await one_round(url)).items():
            figures.setdefault(screen, []).append(seconds)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with StreamlitProcess() as app:
        figures = asyncio.run(measure(app.url, args.rounds))
    slow = 0
    for screen, seconds in figures.items():
        median = statistics.median(seconds)
        slow += median > TARGET_SECONDS
        print(f"{screen:34} {median * 1000:7.0f} ms median of {len(seconds)}"
              f"{'  (above 1 s)' if median > TARGET_SECONDS else ''}")
    print(f"screens above {TARGET_SECONDS:.0f} s warm: {slow} of {len(figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
