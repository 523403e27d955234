"""How fast a running command honours SIGINT and SIGTERM, whatever the moment, and what chunking
costs. Prints figures; asserts nothing.

Run: ``python benchmarks/bench_signals.py [--points P] [--models M] [--stress RUNS]
[--skip-phases] [--skip-steady] [--against SRC]``. Figures printed:

0. The worst latency over all phases of ``report`` and ``compare``: each command is run once to
   time it, then again and again with the signal sent at P moments spread over its run (and at
   0.02 s and 0.15 s, in start-up): from start-up, through the simulation, Elo and the other
   baselines, orders and bootstrap for ``report``, the figures and documents, to the commit
   and the interpreter's shut-down. Each run is classified by what the process was doing when
   the signal was sent, read from ``/proc/PID/status`` (Linux) just before it: *before the
   handlers* (start-up; the system's default action is the documented outcome), *handlers in
   place* (the outcome must be 130/143: the latency counts, and any other code is listed, a
   default-action exit -2/-15 among them), *finished* (the command had returned: SIGTERM
   ignored, or the process gone; the outcome must be exit 0). ``compare`` runs on a synthetic
   M-model x 10-round field (default 400; Elo alone took 11-15 s in one numba call before it
   was chunked); ``report`` on the paper's shape with ``--orders`` and ``--bootstrap``. Goal:
   at most 1 s, and no default-action exit once the handlers are installed.

1. Latency of ``swisssim run ... --no-progress`` on the paper's shape (29 models x 12 rounds,
   T = 0, 1, 2) with 10**9 iterations: the signal is sent 3 s after the command announced its
   estimate (so the engine's chunks have grown to their steady size); the time until its one
   line on stderr and until the process has exited (goal: within a second).
2. The cost of chunking (``engine/simulation.py``, ``next_chunk``): ``simulate`` of
   3 x 100,000 tournaments on the paper's shape in one engine call against the default chunks,
   alternately, median of 5 each.
3. With ``--stress RUNS``: short runs of ``compare`` (60 models x 6 rounds) and ``report`` (the
   paper's shape, few orders and replicates), each signalled at a random moment of its run or,
   half of them, 0-0.4 s after the command's last line on stderr (the command returning, the
   interpreter shutting down), a third twice 0-50 ms apart; the same classification and counts as figure 0.

Last: the start-up window, from the start of the process to the handlers (polled every 2 ms,
over every signalled run), and the load average.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _machine import header  # noqa: E402  (benchmarks/ is on sys.path)

from swisssim import load_scenario, simulate
from swisssim.engine import simulation

REPO = Path(__file__).resolve().parent.parent
PAPER = REPO / "scenarios" / "paper_synthetic.toml"
#: The swisssim sources the commands run (``--against`` another checkout's ``src``).
SRC = [REPO / "src"]


def latency(signum: int) -> tuple[float, float, int]:
    """Seconds from the signal to the message and to the exit, and the exit code."""
    env = {**os.environ, "PYTHONPATH": str(SRC[0])}
    out = Path("/tmp") / f"bench_signals_{os.getpid()}"
    process = subprocess.Popen([sys.executable, "-m", "swisssim", "run", str(PAPER),
                                "--no-progress", "-n", str(10**9), "--out", str(out)],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env=env)
    process.stderr.readline()          # the estimate: the engine starts now
    time.sleep(3)
    sent = time.perf_counter()
    process.send_signal(signum)
    process.stderr.readline()
    message = time.perf_counter() - sent
    process.wait(timeout=60)
    return message, time.perf_counter() - sent, process.returncode


def _command_line(kind: str, folder: Path) -> list[str]:
    if kind == "compare":
        return ["compare", str(folder / "field400.toml"), "--no-progress", "-n", "20000",
                "--out", str(folder / "compare_out")]
    return ["report", str(PAPER), "--no-progress", "-n", "20000", "--orders", "40",
            "--bootstrap", "20", "--bootstrap-iterations", "5000", "--no-svg",
            "--out", str(folder / "report_out")]


def _field(folder: Path, n_models: int = 400, n_rounds: int = 10) -> None:
    """A synthetic ``n_models`` x ``n_rounds`` scenario (one benchmark per round; the file
    names keep "400" whatever the size)."""
    import numpy as np

    rng = np.random.default_rng(0)
    scores = np.round(60 + 12 * (rng.normal(size=(n_models, 1))
                                 + rng.normal(0, 0.6, size=(n_models, n_rounds))), 1)
    lines = ["model," + ",".join(f"b{k}" for k in range(n_rounds))]
    lines += [f"m{i}," + ",".join(str(v) for v in row) for i, row in enumerate(scores)]
    (folder / "field400.csv").write_text("\n".join(lines) + "\n")
    (folder / "field400.toml").write_text('name = "field400"\nscores = "field400.csv"\n')


def disposition(pid: int) -> str:
    """Where the process ``pid`` stands, read from ``/proc/PID/status`` (Linux): "installed"
    (swisssim's handlers catch SIGTERM: only they install one), "ignored" (SIGTERM ignored: the
    command has returned, :func:`swisssim.interrupts.ignore`), "default" (the system's action:
    before the handlers, or reset by Python's shut-down) or "gone"."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "gone"
    fields = dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
    if "SigCgt" not in fields:
        return "gone"   # a zombie: exited, not yet reaped
    bit = 1 << (signal.SIGTERM - 1)
    if int(fields["SigIgn"], 16) & bit:
        return "ignored"
    return "installed" if int(fields["SigCgt"], 16) & bit else "default"


class Outcome:
    """One signalled run: when the handlers were in place, what the process was doing when each
    signal was sent, and how it ended."""

    def __init__(self) -> None:
        self.installed_at: float | None = None    # seconds from the start to the handlers
        self.installed = False                    # the handlers were seen in place
        self.states: list[str] = []               # disposition at each signal sent
        self.latency = 0.0                        # from the first signal (or the start) to exit
        self.total = 0.0
        self.code = 0
        self.stderr = ""

    @property
    def kind(self) -> str:
        """"finished" (no signal reached a running command: it had returned or ended),
        "start-up" (sent before the handlers were installed), "handled" (the handlers were in
        place), "reset" (after they were installed, the disposition was the default again)."""
        if not self.states or self.states[0] in ("gone", "ignored"):
            return "finished"
        if self.states[0] == "default":
            return "reset" if self.installed else "start-up"
        return "handled"


def _timed_run(argv: list[str], signum: int | None, at: float,
               second: float | None = None, after_line: str | None = None) -> Outcome:
    """Start ``swisssim argv``; send ``signum`` ``at`` seconds after the start (None: never),
    and again ``second`` seconds later when given. The handlers' state is polled from /proc
    every 2 ms until the signal, and read again just before each signal. With ``after_line``,
    ``at`` counts from the command's line on stderr that contains it (its last: the command is
    returning), and nothing is polled before."""
    env = {**os.environ, "PYTHONPATH": str(SRC[0])}
    outcome = Outcome()
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "swisssim", *argv],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=env)
    sent = started
    lines: list[str] = []
    if signum is not None and after_line is not None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if after_line in line:
                outcome.installed = True   # the command ran: its handlers were in place
                time.sleep(at)
                break
    elif signum is not None:
        while process.poll() is None and time.perf_counter() - started < at:
            if outcome.installed_at is None and disposition(process.pid) != "default":
                outcome.installed_at = time.perf_counter() - started
                outcome.installed = True
            time.sleep(0.002)
    if signum is not None and process.poll() is None:
        outcome.states.append(disposition(process.pid))
        sent = time.perf_counter()
        process.send_signal(signum)
        if second is not None:
            time.sleep(second)
            if process.poll() is None:
                outcome.states.append(disposition(process.pid))
                process.send_signal(signum)
    outcome.stderr = "".join(lines) + process.communicate(timeout=900)[1]
    ended = time.perf_counter()
    outcome.latency, outcome.total, outcome.code = ended - sent, ended - started, process.returncode
    return outcome


def _tally(outcomes: list[Outcome], signum: int) -> str:
    """One line: the worst latency where the handlers were in place, default-action exits
    after start-up, other unexpected codes, start-up exits, runs finished first."""
    expected = 130 if signum == signal.SIGINT else 143
    handled = [o for o in outcomes if o.kind == "handled"]
    worst = max((o.latency for o in handled), default=0.0)
    default_after = [o for o in outcomes if o.kind in ("handled", "reset") and o.code < 0]
    wrong = [o for o in handled if o.code != expected and o.code >= 0]
    early = [o for o in outcomes if o.kind == "start-up"]
    finished = [o for o in outcomes if o.kind == "finished"]
    bad_finish = [o for o in finished if o.code != 0]
    ignored = sum(bool(o.states) and o.states[0] == "ignored" for o in finished)
    return (f"worst latency {worst:.3f} s over {len(handled)} signals with the handlers in "
            f"place; default-action exits after start-up: {len(default_after)}; other "
            f"codes than {expected}: {len(wrong)}; before the handlers: {len(early)} "
            f"(exit {sorted({o.code for o in early})}); finished first: {len(finished)} "
            f"({ignored} of them in the shut-down, signal ignored)"
            f"{f' ({len(bad_finish)} not exit 0)' if bad_finish else ''}")


def _print_unexpected(outcomes: list[Outcome], signum: int, label: str,
                      moments: list[float]) -> None:
    expected = 130 if signum == signal.SIGINT else 143
    for at, o in zip(moments, outcomes, strict=True):
        if (o.kind == "handled" and o.code != expected) or o.kind == "reset" \
                or (o.kind == "finished" and o.code != 0):
            tail = o.stderr.strip().splitlines()[-1:] if o.stderr.strip() else []
            print(f"      {label} at {at:.2f} s: {o.kind}, states {o.states}, exit {o.code} "
                  f"after {o.latency:.3f} s {tail}")


def phases(points: int, n_models: int) -> list[float]:
    """Worst latency over the phases of ``report`` and ``compare`` (figure 0); returns the
    moments (seconds from the start) at which the handlers were in place."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="bench_signals_"))
    installed: list[float] = []
    try:
        _field(folder, n_models)
        for kind in ("compare", "report"):
            argv = _command_line(kind, folder)
            _timed_run(argv, None, 0.0)                        # warm: numba's cache, files
            total = _timed_run(argv, None, 0.0).total
            print(f"   {kind}: {total:.1f} s without a signal")
            moments = [0.02, 0.15] + [total * (i + 0.5) / points for i in range(points)]
            for name, signum in (("SIGINT", signal.SIGINT), ("SIGTERM", signal.SIGTERM)):
                outcomes = [_timed_run(argv, signum, at) for at in moments]
                installed += [o.installed_at for o in outcomes if o.installed_at is not None]
                _print_unexpected(outcomes, signum, name, moments)
                worst = max(((o.latency, at) for at, o in zip(moments, outcomes, strict=True)
                             if o.kind == "handled"), default=(0.0, 0.0))
                print(f"   {kind:8s} {name:7s}: {_tally(outcomes, signum)}; worst at "
                      f"{worst[1]:.2f} s of {total:.1f} s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return installed


def stress(runs: int, seed: int = 0) -> list[float]:
    """Figure 3: ``runs`` short runs of ``report`` and ``compare`` (small inputs), each signalled
    at a random moment of its run or, for half of them, 0-0.4 s after the command printed its
    last line (the command returning, the interpreter shutting down), a third of them twice in
    quick succession (0-50 ms apart)."""
    import random
    import shutil
    import tempfile

    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="bench_signals_"))
    installed: list[float] = []
    try:
        _field(folder, 60, 6)
        argvs = {"compare": ["compare", str(folder / "field400.toml"), "--no-progress", "-n",
                             "2000", "--out", str(folder / "compare_out")],
                 "report": ["report", str(PAPER), "--no-progress", "-n", "2000", "--orders",
                            "5", "--bootstrap", "5", "--bootstrap-iterations", "500",
                            "--no-svg", "--out", str(folder / "report_out")]}
        last = {"compare": "results in", "report": "; total "}
        totals = {}
        for kind, argv in argvs.items():
            _timed_run(argv, None, 0.0)
            totals[kind] = _timed_run(argv, None, 0.0).total
            print(f"   {kind}: {totals[kind]:.1f} s without a signal")
        results: dict[tuple[str, int], list[Outcome]] = {}
        for _ in range(runs):
            kind = rng.choice(sorted(argvs))
            signum = rng.choice([signal.SIGINT, signal.SIGTERM])
            at_end = rng.random() < 0.5
            at = rng.uniform(0, 0.4) if at_end else rng.uniform(0, 1.1) * totals[kind]
            second = rng.uniform(0, 0.05) if rng.random() < 1 / 3 else None
            outcome = _timed_run(argvs[kind], signum, at, second,
                                 last[kind] if at_end else None)
            results.setdefault((kind, signum), []).append(outcome)
            if outcome.installed_at is not None:
                installed.append(outcome.installed_at)
            _print_unexpected([outcome], signum, f"{kind} {signal.Signals(signum).name}"
                              + (" after its last line" if at_end else ""), [at])
        for (kind, signum), outcomes in sorted(results.items()):
            twice = sum(len(o.states) == 2 for o in outcomes)
            print(f"   {kind:8s} {signal.Signals(signum).name:7s}: {len(outcomes)} runs "
                  f"({twice} signalled twice); {_tally(outcomes, signum)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return installed


def chunking(repeats: int = 5) -> dict[str, float]:
    scenario = load_scenario(PAPER)
    simulate(scenario, iterations=2_000, elimination=[0, 1, 2])
    saved = simulation.PROGRESS_CHUNK, simulation.CHUNK_WORK, simulation.next_chunk
    times: dict[str, list[float]] = {"one engine call": [], "default chunks": []}
    try:
        for _ in range(repeats):
            for mode in times:
                if mode == "one engine call":
                    simulation.PROGRESS_CHUNK, simulation.CHUNK_WORK = 10**12, 10**18
                    simulation.next_chunk = lambda done, seconds: 10**12
                else:
                    simulation.PROGRESS_CHUNK, simulation.CHUNK_WORK, simulation.next_chunk = saved
                started = time.perf_counter()
                simulate(scenario, iterations=100_000, seed=0, elimination=[0, 1, 2])
                times[mode].append(time.perf_counter() - started)
    finally:
        simulation.PROGRESS_CHUNK, simulation.CHUNK_WORK, simulation.next_chunk = saved
    return {mode: statistics.median(values) for mode, values in times.items()}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=8,
                        help="moments per command and signal, spread over its run (default 8)")
    parser.add_argument("--models", type=int, default=400,
                        help="models of figure 0's compare field (default 400)")
    parser.add_argument("--stress", type=int, default=0, metavar="RUNS",
                        help="figure 3: RUNS short runs signalled at random moments (default 0)")
    parser.add_argument("--against", type=Path, metavar="SRC",
                        help="run the commands of another checkout's src folder instead")
    parser.add_argument("--skip-phases", action="store_true", help="skip figure 0")
    parser.add_argument("--skip-steady", action="store_true", help="skip figures 1 and 2")
    options = parser.parse_args()
    if options.against is not None:
        SRC[0] = options.against.resolve()
    # A background job of a non-interactive shell starts with SIGINT ignored, and its children
    # (swisssim, like Python) keep it ignored: give them the ordinary action.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    header()
    print(f"swisssim from {SRC[0]}\n")
    installed: list[float] = []
    if not options.skip_phases:
        print("0. worst signal latency over the phases of report and compare")
        installed += phases(options.points, options.models)
        print()
    if not options.skip_steady:
        print("1. signal latency, paper shape, 10**9 iterations, --no-progress")
        for name, signum in (("SIGINT", signal.SIGINT), ("SIGTERM", signal.SIGTERM)):
            message, exited, code = latency(signum)
            print(f"   {name:7s}: message after {message:.3f} s, exit {code} after "
                  f"{exited:.3f} s (goal <= 1 s: {'met' if exited <= 1 else 'MISSED'})")
        print("\n2. chunking cost, 3 x 100,000 tournaments on the paper shape (median of 5)")
        medians = chunking()
        for mode, seconds in medians.items():
            print(f"   {mode:16s}: {seconds:.3f} s")
        ratio = medians["default chunks"] / medians["one engine call"]
        print(f"   overhead         : {100 * (ratio - 1):+.0f}%\n")
    if options.stress:
        print(f"3. stress: {options.stress} short runs, signals at random moments")
        installed += stress(options.stress)
        print()
    if installed:
        print(f"start-up window (from the start of the process to the handlers, polled every "
              f"2 ms): median {1000 * statistics.median(installed):.0f} ms, longest "
              f"{1000 * max(installed):.0f} ms over {len(installed)} runs")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
