"""Just enough of the MySQL client/server protocol for a pooling proxy.

Packets are relayed as raw bytes; only headers, handshakes, OK/ERR/EOF and the parts of a response
that tell where it ends are parsed.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import struct

# Capability flags (https://dev.mysql.com/doc/dev/mysql-server/latest/group__group__cs__capabilities__flags.html)
LONG_PASSWORD = 0x1
FOUND_ROWS = 0x2
LONG_FLAG = 0x4
CONNECT_WITH_DB = 0x8
PROTOCOL_41 = 0x200
TRANSACTIONS = 0x2000
SECURE_CONNECTION = 0x8000
MULTI_STATEMENTS = 0x10000
MULTI_RESULTS = 0x20000
PS_MULTI_RESULTS = 0x40000
PLUGIN_AUTH = 0x80000
CONNECT_ATTRS = 0x100000
PLUGIN_AUTH_LENENC = 0x200000
SSL = 0x800
DEPRECATE_EOF = 0x1000000

# What the proxy speaks on both sides, so backend responses can be relayed to clients unchanged.
PROXY_CAPABILITIES = (
    LONG_PASSWORD | FOUND_ROWS | LONG_FLAG | CONNECT_WITH_DB | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION
    | MULTI_STATEMENTS | MULTI_RESULTS | PS_MULTI_RESULTS | PLUGIN_AUTH | CONNECT_ATTRS | PLUGIN_AUTH_LENENC
)  # fmt: skip

STATUS_IN_TRANS = 0x0001
STATUS_AUTOCOMMIT = 0x0002
STATUS_MORE_RESULTS = 0x0008

NATIVE_PASSWORD = b"mysql_native_password"

# The character set a client names in its handshake (by a collation id); the proxy's own connections ask for
# utf8mb4, the character set a session starts with unless its client named another.
UTF8MB4_GENERAL_CI = 45
CHARSETS_BY_COLLATION = {8: "latin1", 33: "utf8mb3", 45: "utf8mb4", 46: "utf8mb4", 63: "binary", 224: "utf8mb4"}
CHARSETS_BY_COLLATION[255] = "utf8mb4"  # MySQL 8's default, utf8mb4_0900_ai_ci


def charset_name(collation: int) -> str:
    """The character set of a handshake's collation id (utf8mb4 for one not listed).

    >>> charset_name(8), charset_name(45), charset_name(0)
    ('latin1', 'utf8mb4', 'utf8mb4')
    """
    return CHARSETS_BY_COLLATION.get(collation, "utf8mb4")


class ProtocolError(Exception):
    pass


async def read_packet(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """(sequence id, payload) of the next packet."""
    header = await reader.readexactly(4)
    length = header[0] | header[1] << 8 | header[2] << 16
    return header[3], await reader.readexactly(length)


def packet(seq: int, payload: bytes) -> bytes:
    return struct.pack("<I", len(payload))[:3] + bytes([seq & 0xFF]) + payload


def lenenc_int(data: bytes, pos: int) -> tuple[int, int]:
    first = data[pos]
    if first < 0xFB:
        return first, pos + 1
    if first == 0xFC:
        return struct.unpack_from("<H", data, pos + 1)[0], pos + 3
    if first == 0xFD:
        return int.from_bytes(data[pos + 1 : pos + 4], "little"), pos + 4
    if first == 0xFE:
        return struct.unpack_from("<Q", data, pos + 1)[0], pos + 9
    raise ProtocolError("bad length-encoded integer")


def lenenc_bytes(value: bytes) -> bytes:
    length = len(value)
    if length < 0xFB:
        return bytes([length]) + value
    if length < 1 << 16:
        return b"\xfc" + struct.pack("<H", length) + value
    return b"\xfd" + length.to_bytes(3, "little") + value


def scramble_password(password: str, salt: bytes) -> bytes:
    """mysql_native_password: SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw)))."""
    if not password:
        return b""
    stage1 = hashlib.sha1(password.encode()).digest()
    stage2 = hashlib.sha1(stage1).digest()
    mix = hashlib.sha1(salt + stage2).digest()
    return bytes(a ^ b for a, b in zip(stage1, mix, strict=True))


def new_salt() -> bytes:
    # Printable bytes without NUL, as servers send them.
    return bytes(33 + b % 94 for b in os.urandom(20))


def handshake_v10(connection_id: int, salt: bytes, version: str = "8.0.35-pocketcloud-rds-proxy") -> bytes:
    caps = PROXY_CAPABILITIES
    return (
        b"\x0a" + version.encode() + b"\x00" + struct.pack("<I", connection_id) + salt[:8] + b"\x00"
        + struct.pack("<H", caps & 0xFFFF) + bytes([0x21]) + struct.pack("<H", STATUS_AUTOCOMMIT)
        + struct.pack("<H", caps >> 16) + bytes([len(salt) + 1]) + b"\x00" * 10
        + salt[8:] + b"\x00" + NATIVE_PASSWORD + b"\x00"
    )  # fmt: skip


def parse_handshake_v10(payload: bytes) -> tuple[int, bytes, bytes]:
    """(capabilities, salt, auth plugin) of a server greeting."""
    if payload[0] == 0xFF:
        raise ProtocolError(error_message(payload))
    pos = payload.index(b"\x00", 1) + 1
    pos += 4  # connection id
    salt = payload[pos : pos + 8]
    pos += 9
    caps = struct.unpack_from("<H", payload, pos)[0]
    pos += 2 + 1 + 2
    caps |= struct.unpack_from("<H", payload, pos)[0] << 16
    pos += 2
    salt_len = payload[pos]
    pos += 1 + 10
    part2 = max(13, salt_len - 8)
    salt += payload[pos : pos + part2 - 1]
    pos += part2
    plugin = payload[pos:].split(b"\x00", 1)[0] if caps & PLUGIN_AUTH else NATIVE_PASSWORD
    return caps, salt, plugin


class HandshakeResponse:
    def __init__(self, payload: bytes) -> None:
        self.capabilities = struct.unpack_from("<I", payload, 0)[0]
        if not self.capabilities & PROTOCOL_41:
            raise ProtocolError("clients must speak protocol 4.1")
        self.charset = payload[8]
        pos = 32
        end = payload.index(b"\x00", pos)
        self.user = payload[pos:end].decode()
        pos = end + 1
        if self.capabilities & PLUGIN_AUTH_LENENC:
            length, pos = lenenc_int(payload, pos)
        elif self.capabilities & SECURE_CONNECTION:
            length, pos = payload[pos], pos + 1
        else:
            length = payload.index(b"\x00", pos) - pos
        self.auth_response = payload[pos : pos + length]
        pos += length
        if not self.capabilities & SECURE_CONNECTION and not self.capabilities & PLUGIN_AUTH_LENENC:
            pos += 1
        self.database: str | None = None
        if self.capabilities & CONNECT_WITH_DB and pos < len(payload):
            end = payload.index(b"\x00", pos)
            self.database = payload[pos:end].decode() or None
            pos = end + 1
        self.plugin = NATIVE_PASSWORD
        if self.capabilities & PLUGIN_AUTH and pos < len(payload):
            self.plugin = payload[pos:].split(b"\x00", 1)[0]


def handshake_response(user: str, password: str, salt: bytes, database: str | None = None) -> bytes:
    caps = PROXY_CAPABILITIES & ~CONNECT_ATTRS
    if database:
        caps |= CONNECT_WITH_DB
    else:
        caps &= ~CONNECT_WITH_DB
    auth = scramble_password(password, salt)
    body = (
        struct.pack("<IIB", caps, 1 << 24, UTF8MB4_GENERAL_CI)
        + b"\x00" * 23
        + user.encode()
        + b"\x00"
        + lenenc_bytes(auth)
    )
    if database:
        body += database.encode() + b"\x00"
    return body + NATIVE_PASSWORD + b"\x00"


def ok_packet(status: int) -> bytes:
    """OK with no affected rows and no insert id."""
    return b"\x00\x00\x00" + struct.pack("<HH", status, 0)


def err_packet(code: int, state: str, message: str) -> bytes:
    return b"\xff" + struct.pack("<H", code) + b"#" + state.encode()[:5] + message.encode()


def error_message(payload: bytes) -> str:
    code = struct.unpack_from("<H", payload, 1)[0]
    text = payload[9:] if payload[3:4] == b"#" else payload[3:]
    return f"({code}) {text.decode(errors='replace')}"


def ok_status(payload: bytes) -> int:
    """Server status flags of an OK packet."""
    _, pos = lenenc_int(payload, 1)
    _, pos = lenenc_int(payload, pos)
    status: int = struct.unpack_from("<H", payload, pos)[0]
    return status


def is_eof(payload: bytes) -> bool:
    return payload[:1] == b"\xfe" and len(payload) < 9


def eof_status(payload: bytes) -> int:
    return struct.unpack_from("<H", payload, 3)[0] if len(payload) >= 5 else 0
