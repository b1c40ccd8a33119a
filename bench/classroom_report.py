"""The classroom benchmark's results (bench/classroom_load.py): a row of figures, its table, details and verdicts.

Only what was measured and how it is printed; seating the learners and starting the servers are elsewhere.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

MB = 1024 * 1024
TARGETS = {  # row name -> Step p95 limit in ms (issue 7)
    "1 process": 1000,
    "1 process + epoch": 2000,
    "nginx, 2 replicas": 600,
}
CLICK_TARGETS = {  # (row name, learners) -> Step p95 limit in ms with the store on (issue 24: a click costs what it changes)
    ("1 process", 30): 400,
    ("nginx, 2 replicas", 60): 400,  # with --store postgres
}
MEMORY_TARGET_MB = 25


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
        tighter = CLICK_TARGETS.get((row.name.split(" [")[0], row.learners))
        if tighter is not None and row.step_seconds:
            p95 = percentile(row.step_seconds, 0.95) * 1000
            print(f"target (issue 24) {row.name}, N = {row.learners}: Step p95 {p95:.0f} ms <= {tighter} ms: "
                  f"{'met' if p95 <= tighter else 'MISSED'}")
        if row.per_session_mb is not None:
            print(f"target memory, {row.name}, N = {row.learners}: {row.per_session_mb:.1f} MB per session "
                  f"<= {MEMORY_TARGET_MB} MB: {'met' if row.per_session_mb <= MEMORY_TARGET_MB else 'MISSED'}")


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
