"""Where tournaments are played: one :class:`Backend` per place, chosen once from the settings.

=========================  ==============================================================
backend                    plays on
=========================  ==============================================================
:class:`CpuBackend`        numba threads of this process (the default, ``backend="cpu"``)
:class:`CudaBackend`       a GPU through numba-cuda (``backend="cuda"``, the ``cuda`` extra)
:class:`DaskBackend`       the CPUs of a Dask cluster (``dask=`` or ``client=``)
=========================  ==============================================================

Every backend plays the same tournaments from the same streams (``docs/method.md`` section 4)
and fills the same integer counters (section 5.1), so results are identical whichever is
chosen. A backend does four things: :meth:`~Backend.load` the tournaments of the next run (and
the compiled kernels of their rules), :meth:`~Backend.play` iterations into counters,
:meth:`~Backend.replay` iterations to count ranks exactly (draws, section 5.4), and
:meth:`~Backend.describe` itself for the manifest. :func:`make_backend` builds the one backend of
an :class:`~swisssim.engine.simulation.EngineSession`; contradictory settings (a GPU backend on a
Dask cluster) are refused by :class:`~swisssim.engine.settings.Settings` itself.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import numba
import numpy as np

from swisssim.engine.counters import Counters, RankWindows
from swisssim.engine.cuda_support import (
    CUDA_EXTRA,
    cuda_problem,
    require_backend,
    simulated,
)
from swisssim.engine.distributed import ClusterInfo, DaskEngine, EngineInputs, connect
from swisssim.engine.settings import BACKENDS, Settings
from swisssim.engine.tournaments import Tournaments, play_on_cpu, replay_on_cpu


class Backend:
    """Where a session's tournaments are played (see the module notes).

    Attributes
    ----------
    name
        ``"cpu"``, ``"cuda"`` or ``"dask"``.
    blocks
        Counter blocks the backend plays into (the leading axis of
        :class:`~swisssim.engine.counters.Counters`): one per thread on the CPU, else 1.
    chunk
        Iterations per :meth:`play` call of a long run: ``None`` sizes them by the measured
        speed (:func:`swisssim.engine.simulation.next_chunk`); results never depend on it.
    own_progress
        Whether :meth:`play` shows its own progress bar (the driver's then stays hidden).
    batches
        Whether analyses of many matrices (orders, replicates) should hand them over at once
        (:meth:`play_many`) rather than one run after another.
    """

    name: ClassVar[str] = ""
    chunk: int | None = None
    own_progress: ClassVar[bool] = False
    batches: ClassVar[bool] = False

    def __init__(self, blocks: int = 1) -> None:
        self.blocks = blocks
        self._loaded: set[tuple] = set()

    @contextmanager
    def opened(self) -> Iterator[None]:
        """Hold what the enclosed calls need (threads, a connection)."""
        yield

    def load(self, t: Tournaments) -> None:
        """Make ``t`` the tournaments of the next :meth:`play` calls and load the compiled
        kernels of its rules (once per rules and shape), so that a run's clock measures play."""
        key = (t.rules, t.values.shape, t.quotas.shape)
        if key not in self._loaded:
            self._loaded.add(key)
            self.play(t, 0, 0, self.scratch(t))

    def play(self, t: Tournaments, first: int, stop: int, counters: Counters, *,
             progress: bool = False, desc: str = "") -> None:
        """Add iterations ``first .. stop - 1`` of ``t`` into ``counters`` (sums; minima and
        maxima for ``above_bounds``)."""
        raise NotImplementedError

    def play_many(self, t: Tournaments, base: np.ndarray, rows: np.ndarray, iterations: int, *,
                  progress: bool = False, desc: str = "") -> list[Counters]:
        """Counters of iterations ``0 .. iterations - 1`` on every matrix ``base[rows[p]]``."""
        out = []
        for row in rows:
            matrix = t.with_values(np.asarray(base)[row])
            self.load(matrix)
            counters = Counters.zeros(self.blocks, *self._shape(t))
            self.play(matrix, 0, iterations, counters)
            out.append(counters)
        return out

    def replay(self, t: Tournaments, iterations: int, windows: RankWindows) -> np.ndarray:
        """Replay iterations ``0 .. iterations - 1`` of ``t``; the (S, M, columns) counts of
        (model, rank) inside ``windows`` (docs/method.md section 5.4)."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """What the manifest records of the backend (results never depend on it)."""
        return {"name": self.name}

    def cluster(self) -> ClusterInfo | None:
        """The Dask cluster played on, or ``None``."""
        return None

    def scratch(self, t: Tournaments) -> Counters:
        """Empty counters of ``t``'s shape with this backend's blocks."""
        return Counters.zeros(self.blocks, *self._shape(t))

    @staticmethod
    def _shape(t: Tournaments) -> tuple[int, int, int, int]:
        n_schedules, n_rounds = t.quotas.shape
        return n_schedules, t.values.shape[1], n_rounds, t.n_values


class CpuBackend(Backend):
    """numba threads of this process, one counter block per thread."""

    name = "cpu"

    def __init__(self, threads: int) -> None:
        super().__init__(blocks=threads)
        self.threads = threads

    @contextmanager
    def opened(self) -> Iterator[None]:
        previous = numba.get_num_threads()
        numba.set_num_threads(self.threads)
        try:
            yield
        finally:
            numba.set_num_threads(previous)

    def play(self, t: Tournaments, first: int, stop: int, counters: Counters, *,
             progress: bool = False, desc: str = "") -> None:
        play_on_cpu(t, first, stop, counters)

    def replay(self, t: Tournaments, iterations: int, windows: RankWindows) -> np.ndarray:
        return replay_on_cpu(t, iterations, windows, self.threads)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "threads": self.threads}


class CudaBackend(Backend):
    """A GPU through numba-cuda (:mod:`swisssim.engine.cuda`); counters merged on the device."""

    name = "cuda"

    def __init__(self, quotas: np.ndarray, n_models: int, n_values: int) -> None:
        super().__init__(blocks=1)
        require_backend("cuda")
        from swisssim.engine.cuda import CudaEngine

        self.device = CudaEngine(quotas, n_models, n_values)
        self.chunk = self.device.progress_chunk
        self._current: Tournaments | None = None

    def load(self, t: Tournaments) -> None:
        if self._current is not t:
            self.device.load(t.values, t.noise if t.rules.noisy else None)
            self._current = t
        super().load(t)

    def play(self, t: Tournaments, first: int, stop: int, counters: Counters, *,
             progress: bool = False, desc: str = "") -> None:
        if self._current is not t:
            self.load(t)
        self.device.simulate(t.key, first, stop, t.rules, counters)

    def replay(self, t: Tournaments, iterations: int, windows: RankWindows) -> np.ndarray:
        return self.device.replay(t.key, iterations, t.rules, t.values,
                                  t.noise if t.rules.noisy else None, windows.low,
                                  windows.offset, windows.columns)

    def describe(self) -> dict[str, Any]:
        from swisssim.engine import cuda

        described: dict[str, Any] = {"name": self.name, "simulator": bool(cuda.SIMULATED),
                                     "blocks": self.device.blocks,
                                     "threads_per_block": cuda.THREADS_PER_BLOCK}
        if not cuda.SIMULATED:  # pragma: no cover - needs a device
            device = cuda.cuda.get_current_device()
            name = device.name
            described["device"] = name.decode() if isinstance(name, bytes) else str(name)
            described["compute_capability"] = list(device.compute_capability)
        return described


class DaskBackend(Backend):
    """The CPUs of a Dask cluster (:mod:`swisssim.engine.distributed`): a given client, or a
    connection to ``address`` held while :meth:`opened`."""

    name = "dask"
    chunk = sys.maxsize   # one call: the tasks are the chunks
    own_progress = True
    batches = True

    def __init__(self, client: Any = None, address: str | None = None) -> None:
        super().__init__(blocks=1)
        self.address = address
        self._engine = None if client is None else DaskEngine(client)
        self._seen: ClusterInfo | None = None

    @contextmanager
    def opened(self) -> Iterator[None]:
        if self._engine is not None:
            yield
            return
        assert self.address is not None
        with connect(self.address) as client:
            self._engine = DaskEngine(client)
            try:
                yield
            finally:
                self._seen = self._engine.info()
                self._engine = None

    @property
    def engine(self) -> DaskEngine:
        if self._engine is None:
            raise RuntimeError("a DaskBackend plays inside its opened() context")
        return self._engine

    def load(self, t: Tournaments) -> None:
        """Nothing to load here: the workers load their kernels."""

    def play(self, t: Tournaments, first: int, stop: int, counters: Counters, *,
             progress: bool = False, desc: str = "") -> None:
        (part,) = self.engine.counters(_inputs(t), first, stop, progress=progress, desc=desc)
        counters.add(part)

    def play_many(self, t: Tournaments, base: np.ndarray, rows: np.ndarray, iterations: int, *,
                  progress: bool = False, desc: str = "") -> list[Counters]:
        """All matrices as one batch of tasks (:func:`~swisssim.engine.distributed.plan_tasks`),
        so that many short runs still make tasks of seconds."""
        return self.engine.counters(_inputs(t, base, rows), 0, iterations, progress=progress,
                                    desc=desc)

    def replay(self, t: Tournaments, iterations: int, windows: RankWindows) -> np.ndarray:
        return self.engine.windows(_inputs(t), iterations, windows.low, windows.offset,
                                   windows.columns)

    def cluster(self) -> ClusterInfo | None:
        return self._engine.info() if self._engine is not None else self._seen

    def describe(self) -> dict[str, Any]:
        info = self.cluster()
        return {"name": self.name, **({} if info is None else info.manifest())}


def _inputs(t: Tournaments, base: np.ndarray | None = None,
            rows: np.ndarray | None = None) -> EngineInputs:
    """What a Dask task needs: ``t``'s values (or the matrices ``base[rows[p]]``)."""
    base = t.values if base is None else base
    rows = np.arange(t.values.shape[0])[None] if rows is None else rows
    return EngineInputs(t.key, np.ascontiguousarray(base, np.float64),
                        np.ascontiguousarray(rows, np.int64), t.noise, t.quotas, t.rules,
                        t.n_values)


def make_backend(settings: Settings, quotas: np.ndarray, n_models: int, n_values: int,
                 threads: int) -> Backend:
    """The one backend of a session: Dask when ``settings`` name a cluster (``client`` wins
    over ``dask``), else ``settings.backend``.

    Raises
    ------
    InputError
        ``Settings: backend`` when the ``cuda`` backend cannot run here (what is missing).
        A GPU backend on a Dask cluster never gets here: :class:`Settings` refuses it.
    """
    if settings.client is not None or settings.dask is not None:
        return DaskBackend(settings.client, settings.dask)
    if settings.backend == "cuda":
        return CudaBackend(quotas, n_models, n_values)
    return CpuBackend(threads)


__all__ = ["BACKENDS", "CUDA_EXTRA", "Backend", "CpuBackend", "CudaBackend", "DaskBackend",
           "cuda_problem", "make_backend", "require_backend", "simulated"]
