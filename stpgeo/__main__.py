"""``python -m stpgeo``: the same as the ``stpgeo`` command."""

import sys

from stpgeo.cli import main

if __name__ == "__main__":
    sys.exit(main())
