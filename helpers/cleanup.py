"""`python -m helpers.cleanup [--dry-run]`: remove everything the workshop created (helpers.modules.m99_cleanup)."""

from __future__ import annotations

import sys

from .modules.m99_cleanup import main

if __name__ == "__main__":
    sys.exit(main())
