"""Identifiers the data planes hand out on every request, made cheaply."""

from __future__ import annotations

import random

# Request ids need to be unique, not unguessable: a seeded PRNG is ~4x cheaper than uuid.uuid4().
_random_bits = random.Random().getrandbits
# UUID version 4: the version nibble set to 4 and the variant bits to 10 (RFC 4122).
_VERSION_AND_VARIANT_CLEAR = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
_VERSION_AND_VARIANT_SET = (0x4 << 76) | (0x2 << 62)


def request_id() -> str:
    """A random id in the UUID version 4 format AWS uses for request ids.

    >>> len(request_id()), request_id()[14]
    (36, '4')
    """
    # bytes.hex() is the cheapest way from an int to fixed-width hex (half the cost of a format spec).
    bits = _random_bits(128) & _VERSION_AND_VARIANT_CLEAR | _VERSION_AND_VARIANT_SET
    digits = bits.to_bytes(16, "big").hex()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def hex_id(digits: int = 16) -> str:
    """A random lowercase hex string of ``digits`` characters (segment ids, extended request ids)."""
    if digits % 2:
        return f"{_random_bits(4 * digits):0{digits}x}"
    return _random_bits(4 * digits).to_bytes(digits // 2, "big").hex()
