"""``python -m companion``: the command line (see :mod:`companion.cli`)."""

import sys

from .cli import main

sys.exit(main())
