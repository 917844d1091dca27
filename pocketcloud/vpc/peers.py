"""Which process opened a loopback TCP connection: the socket behind the peer's address, then its owner.

Everything pocketcloud serves is on 127.0.0.1, so a connection's peer address says nothing about who
opened it. The kernel knows: the connecting socket has an inode, and the process that holds it has a
``/proc/<pid>/fd`` link to ``socket:[inode]``. pocketcloud asks the kernel for that inode with one
sock_diag netlink query (an exact look-up by the connection's four addresses, ~10 µs; a scan of
``/proc/net/tcp`` where netlink is unavailable), then looks only among the processes it may attribute the
connection to (execution environments and their children), not the whole machine.

Example::

    inode = socket_inode(peer=("127.0.0.1", 51234), local=("127.0.0.1", 3306))
    owner = owner_of(inode, [env.pid for env in environments])
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
from collections.abc import Iterable

Address = tuple[str, int]

_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST = 1
_NLMSG_ERROR = 2
_NO_COOKIE = 0xFFFFFFFF
_ALL_STATES = 0xFFFFFFFF
_NLMSG_HEADER = struct.Struct("=IHHII")
_DIAG_REQUEST = struct.Struct("=BBBxI")
# inet_diag_msg: family, state, timer, retrans (4 bytes), sockid (48), expires, rqueue, wqueue (12), uid, inode.
_INODE_AT = _NLMSG_HEADER.size + 4 + 48 + 12 + 4
_netlink_works = hasattr(socket, "AF_NETLINK")


def socket_inode(peer: Address, local: Address) -> int | None:
    """The inode of the socket that connected from ``peer`` to ``local`` (IPv4 TCP), or None if it is gone."""
    global _netlink_works
    if _netlink_works:
        try:
            return _inode_by_netlink(peer, local)
        except OSError:
            _netlink_works = False  # e.g. a kernel without sock_diag: read /proc/net/tcp from now on
    return _inode_by_proc(peer, local)


def _inode_by_netlink(peer: Address, local: Address) -> int | None:
    sockid = struct.pack(
        "!HH16s16s", peer[1], local[1], socket.inet_aton(peer[0]) + bytes(12), socket.inet_aton(local[0]) + bytes(12)
    ) + struct.pack("=III", 0, _NO_COOKIE, _NO_COOKIE)
    request = _DIAG_REQUEST.pack(socket.AF_INET, socket.IPPROTO_TCP, 0, _ALL_STATES) + sockid
    header = _NLMSG_HEADER.pack(_NLMSG_HEADER.size + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST, 1, 0)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_SOCK_DIAG) as diag:
        diag.sendto(header + request, (0, 0))
        answer = diag.recv(8192)
    if len(answer) < _INODE_AT + 4 or _NLMSG_HEADER.unpack_from(answer)[1] == _NLMSG_ERROR:
        return None  # no such socket (the client already closed it)
    inode: int = struct.unpack_from("=I", answer, _INODE_AT)[0]
    return inode or None


def _inode_by_proc(peer: Address, local: Address) -> int | None:
    """The same answer from /proc/net/tcp: the line whose local address is ``peer`` and remote ``local``."""
    want_local = _proc_address(peer)
    want_remote = _proc_address(local)
    with contextlib.suppress(OSError), open("/proc/net/tcp", "rb") as table:
        next(table, None)  # the header line
        for line in table:
            fields = line.split()
            if fields[1] == want_local and fields[2] == want_remote:
                return int(fields[9]) or None
    return None


def _proc_address(address: Address) -> bytes:
    """``127.0.0.1:3306`` as /proc/net/tcp writes it: the address in host byte order, then the port, in hex."""
    packed = socket.inet_aton(address[0])
    return f"{int.from_bytes(packed, 'little'):08X}:{address[1]:04X}".encode()


def owner_of(inode: int, pids: Iterable[int]) -> int | None:
    """Which of ``pids`` (or a process they started) holds socket ``inode``; None when none does."""
    link = f"socket:[{inode}]"
    for pid in pids:
        for candidate in (pid, *_descendants(pid)):
            if _holds(candidate, link):
                return pid
    return None


def _holds(pid: int, link: str) -> bool:
    folder = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(folder)
    except OSError:
        return False
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"{folder}/{fd}") == link:
                return True
    return False


def _descendants(pid: int) -> list[int]:
    """Processes ``pid`` started (a handler's subprocesses), children before grandchildren."""
    found: list[int] = []
    frontier = [pid]
    while frontier and len(found) < 64:
        parent = frontier.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children", "rb") as children:
                kids = [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue
        found += kids
        frontier += kids
    return found
