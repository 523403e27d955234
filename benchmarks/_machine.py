"""What every benchmark shares: the header it prints (machine, thread count and library
versions) and :func:`load_module` for a helper file outside the package."""

from __future__ import annotations

import importlib.util
import os
import platform
from pathlib import Path
from types import ModuleType

import matplotlib
import numba
import numpy as np
import pandas as pd
import scipy


def header() -> None:
    """Print the machine, numba's thread pool and the versions the figures depend on."""
    print(f"machine   : {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    print(f"threads   : numba {numba.get_num_threads()} (NUMBA_NUM_THREADS="
          f"{numba.config.NUMBA_NUM_THREADS}, layer {numba.config.THREADING_LAYER})")
    print(f"versions  : python {platform.python_version()}, numpy {np.__version__}, "
          f"numba {numba.__version__}, pandas {pd.__version__}, scipy {scipy.__version__}, "
          f"matplotlib {matplotlib.__version__}")
    print()


def load_module(path: Path) -> ModuleType:
    """The Python file ``path`` as a module (e.g. ``tests/naive.py``), without adding its
    folder to ``sys.path``."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
