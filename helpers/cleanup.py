"""`python -m helpers.cleanup [--dry-run] [--yes]`: list, then remove, what the workshop created (module m99)."""

from __future__ import annotations

import sys

from .modules.m99_cleanup import main

if __name__ == "__main__":
    sys.exit(main())
