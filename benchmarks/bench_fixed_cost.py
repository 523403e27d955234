"""The fixed cost of one engine call, whatever its iterations.

Every analysis that simulates many small runs pays this per run: 1,000 bootstrap replicates,
500 round orders, each chunk of a long run. The engine's kernels take their rule flags as
compile-time constants. Made literal with ``numba.literally`` and called through numba's
dispatcher (the code before engine/dispatch.py), a kernel is typed again on every call before numba finds
the compiled code (milliseconds). The engine now compiles the literal signature once and calls
its entry point directly (``engine/dispatch.py``).

Measured on a tiny field (4 models, 3 rounds, one schedule), so that the tournaments cost
microseconds and the figures are the fixed cost:

1. ``EngineSession.run(values, 1)``: one engine call with setup and result (median, best);
2. ``EngineSession.run(values, 1000)`` minus (1), per call: the tournaments alone, for scale;
3. ``simulate(scenario, iterations=1)``: a whole analysis call (settings, session, backend,
   result).

The script uses only public names that exist before and after the change, so it measures both:
``python benchmarks/bench_fixed_cost.py`` here, and against another checkout with
``PYTHONPATH=/path/to/other/src python benchmarks/bench_fixed_cost.py``. The figures are wall
times on a possibly shared machine: compare runs made one after the other.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import header

import swisssim
from swisssim import Scenario, Settings, round_scores, simulate
from swisssim.engine.simulation import EngineSession

REPEATS = 200


def _tiny() -> Scenario:
    rng = np.random.default_rng(0)
    names = [f"m{i}" for i in range(4)]
    table = pd.DataFrame(rng.random((4, 3)), index=names, columns=list("abc"))
    return Scenario.from_dataframe(table)


def _times(call, repeats: int = REPEATS) -> list[float]:
    call()   # load / compile
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def _line(label: str, seconds: list[float]) -> None:
    print(f"{label:<52} median {statistics.median(seconds) * 1e3:8.3f} ms   "
          f"best {min(seconds) * 1e3:8.3f} ms")


def main() -> None:
    header()
    print(f"swisssim from {Path(swisssim.__file__).resolve().parent}")
    scenario = _tiny()
    values = round_scores(scenario)
    session = EngineSession(scenario, Settings(seed=1, elimination=(0,), threads=1))
    one = _times(lambda: session.run(values, 1))
    thousand = _times(lambda: session.run(values, 1_000), 50)
    _line("EngineSession.run, 1 iteration (fixed cost)", one)
    play = [t - statistics.median(one) for t in thousand]
    _line("EngineSession.run, 1,000 iterations minus the above", play)

    _line("simulate, 1 iteration (settings, session, result)",
          _times(lambda: simulate(scenario, iterations=1, seed=1, elimination=(0,), threads=1)))
    print("\nwall times, seconds per call; 1 numba thread")


if __name__ == "__main__":
    main()
