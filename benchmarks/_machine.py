"""The header every benchmark prints: machine, thread count and library versions."""

from __future__ import annotations

import os
import platform

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
