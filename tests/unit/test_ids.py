"""Request ids look like the UUIDs AWS returns and do not repeat."""

from __future__ import annotations

import re
import uuid

from pocketcloud.ids import hex_id, request_id


def test_request_ids_are_version_4_uuids() -> None:
    ids = [request_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids[:200]:
        parsed = uuid.UUID(value)
        assert (str(parsed), parsed.version, parsed.variant) == (value, 4, uuid.RFC_4122)


def test_hex_ids_have_the_asked_length() -> None:
    assert re.fullmatch(r"[0-9a-f]{16}", hex_id())
    assert re.fullmatch(r"[0-9a-f]{24}", hex_id(24))
    assert re.fullmatch(r"[0-9a-f]{7}", hex_id(7))
    assert len({hex_id(8) for _ in range(2000)}) > 1990
