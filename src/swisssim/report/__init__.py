"""The report: one self-contained HTML (and Markdown) document over a sweep, a comparison and,
optionally, round orders and the bootstrap.
"""
