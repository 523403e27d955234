"""``python -m swisssim``: the command line."""

import sys

from swisssim.cli.app import main

sys.exit(main())
