"""max_connections as RDS for MySQL derives it from the instance class."""

from __future__ import annotations

# Nominal memory (GiB) of common classes; unknown classes count as 1 GiB.
CLASS_MEMORY_GIB = {
    "micro": 1,
    "small": 2,
    "medium": 4,
    "large": 8,
    "xlarge": 16,
    "2xlarge": 32,
    "4xlarge": 64,
}
# Memory-optimised families have twice the memory of general purpose at the same size.
MEMORY_OPTIMISED = ("db.r", "db.x", "db.z")
# DBInstanceClassMemory is the class memory less what RDS and the OS reserve; about 78 % on small classes.
USABLE_SHARE = 0.78
BYTES_PER_CONNECTION = 12582880  # RDS for MySQL default: {DBInstanceClassMemory/12582880}


def instance_memory_bytes(instance_class: str) -> int:
    size = instance_class.rsplit(".", 1)[-1]
    gib = CLASS_MEMORY_GIB.get(size, 1)
    if instance_class.startswith(MEMORY_OPTIMISED):
        gib *= 2
    return gib * 1024**3


def max_connections(instance_class: str, cap: int) -> int:
    """RDS for MySQL's default max_connections for ``instance_class``, at most ``cap``.

    >>> max_connections("db.t3.micro", cap=1000)
    66
    """
    usable = instance_memory_bytes(instance_class) * USABLE_SHARE
    return max(10, min(cap, int(usable // BYTES_PER_CONNECTION)))
