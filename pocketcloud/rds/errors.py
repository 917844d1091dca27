"""AWS-shaped RDS errors, raised inside moto's request handling so that moto answers them in the query protocol."""

from __future__ import annotations


def invalid_parameter(message: str) -> Exception:
    """RDS's InvalidParameterValue (moto's own class, loaded with moto's RDS models)."""
    from moto.rds.exceptions import InvalidParameterValue

    return InvalidParameterValue(message)
