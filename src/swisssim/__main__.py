"""``python -m swisssim`` and the ``swisssim`` console script: the command line.

The recording signal handlers go in first (:mod:`swisssim.interrupts`, standard library only),
so that a signal during the imports of the command line (argparse, then the command's own
modules: numpy, numba, pandas, matplotlib) is recorded and answered like any other. The console
script enters at :func:`console` rather than at :func:`swisssim.cli.app.entry`, whose module
imports argparse before it could install them.
"""


def console() -> None:
    """Install the recording handlers, then run the command line
    (:func:`swisssim.cli.app.entry`)."""
    from swisssim import interrupts

    interrupts.install(keep_ignored=True)
    interrupts.record_only()

    from swisssim.cli.app import entry

    entry()


if __name__ == "__main__":
    console()
