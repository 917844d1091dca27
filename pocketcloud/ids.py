"""Identifiers the data planes hand out on every request, made cheaply."""

from __future__ import annotations

import random

# Request ids need to be unique, not unguessable: a seeded PRNG is ~4x cheaper than uuid.uuid4().
_random = random.Random()


def request_id() -> str:
    """A random id in the UUID version 4 format AWS uses for request ids.

    >>> len(request_id()), request_id()[14]
    (36, '4')
    """
    digits = f"{_random.getrandbits(128):032x}"
    variant = "89ab"[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"


def hex_id(digits: int = 16) -> str:
    """A random lowercase hex string of ``digits`` characters (segment ids, extended request ids)."""
    return f"{_random.getrandbits(4 * digits):0{digits}x}"
