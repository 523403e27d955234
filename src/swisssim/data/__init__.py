"""Data: scenarios (TOML + CSV or DataFrames), score tables, score errors, schedules, round scores.

The bottom layer of the data path: everything here validates user input and raises
:class:`~swisssim.errors.InputError`; the layers above trust what it returns.
"""
