"""Engine: counter-based random streams, the numba Swiss tournament kernels, the Monte Carlo driver
and its results (see ``docs/method.md``).
"""
