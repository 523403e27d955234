"""Analyses built on the engine: sweeps of elimination schedules, aggregate baselines, comparisons,
robustness probes, round-order sensitivity and the bootstrap.
"""
