"""``python -m swisssim``: the command line.

The recording signal handlers go in first (:mod:`swisssim.interrupts`, standard library only),
so that a signal during the imports below is recorded and answered like any other.
"""

from swisssim import interrupts

interrupts.install(keep_ignored=True)
interrupts.record_only()

from swisssim.cli.app import entry  # noqa: E402  (after the handlers, on purpose)

entry()
