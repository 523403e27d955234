"""What the CUDA backend needs here, checked before :mod:`swisssim.engine.cuda` is imported.

The backends themselves live in :mod:`swisssim.engine.backends`. The CUDA kernels are in
:mod:`swisssim.engine.cuda`, imported only once :func:`cuda_problem` finds nothing missing:
importing numba-cuda costs time and fixes whether numba's CUDA simulator is used
(``NUMBA_ENABLE_CUDASIM=1`` must be set before that import).
"""

from __future__ import annotations

import importlib.util

import numpy as np

from swisssim.errors import InputError

#: What to install for the CUDA backend.
CUDA_EXTRA = "pip install 'swisssim[cuda]'"


def cuda_problem() -> str | None:
    """What keeps the CUDA backend from running here, in a few words, or ``None``.

    Checks, in order: the numba-cuda package (the ``cuda`` extra), then, unless numba's CUDA
    simulator is enabled, a CUDA driver with a GPU and the NVVM compiler library.
    """
    if importlib.util.find_spec("numba_cuda") is None:
        return f"numba-cuda is not installed ({CUDA_EXTRA})"
    _guard_row_stack()
    try:
        from numba import cuda
    except ImportError as error:   # e.g. cuda-bindings missing
        return f"numba-cuda cannot be imported ({_first_line(error)})"
    if simulated():
        return None
    try:
        cuda.current_context()
    except Exception as error:  # noqa: BLE001 - CudaSupportError and driver errors alike
        return f"no usable CUDA driver or GPU ({_first_line(error)})"
    from numba.cuda.cudadrv import nvvm

    if not nvvm.is_available():
        return ("the NVVM compiler library of the CUDA toolkit is missing "
                "(pip install 'numba-cuda[cu13]', or [cu12] for an older driver)")
    return None


def require_backend(backend: str, source: str = "Settings", field: str = "backend") -> None:
    """Raise :class:`InputError` naming ``source`` and ``field`` when ``backend`` cannot run."""
    if backend == "cuda":
        problem = cuda_problem()
        if problem is not None:
            raise InputError(source, field, "a usable CUDA GPU for backend 'cuda'",
                             found_text=problem)


def simulated() -> bool:
    """Whether numba.cuda runs as numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1`` when it was
    first imported; numba-cuda may re-read the variable later, so its config is not asked)."""
    from numba import cuda

    return hasattr(cuda, "simulator_init")


def _guard_row_stack() -> None:
    """numba-cuda registers an overload of ``np.row_stack`` when its CUDA target loads
    (``numba/cuda/np/arrayobj.py``, numba-cuda 0.30); NumPy deprecated the name in 2.0 and drops
    it after 2.4, which would make that import fail. Where it is gone, the CUDA target gets the
    function it aliased, ``np.vstack``; nothing else in swisssim uses the name.
    """
    if not hasattr(np, "row_stack"):
        np.vstack = np.vstack  # type: ignore[attr-defined]


def _first_line(error: BaseException) -> str:
    text = " ".join(str(error).split()).rstrip(" :")
    return text[:160] if text else type(error).__name__


__all__ = ["CUDA_EXTRA", "cuda_problem", "require_backend", "simulated"]
