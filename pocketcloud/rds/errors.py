"""AWS-shaped RDS errors, raised inside moto's request handling so that moto answers them in the query protocol."""

from __future__ import annotations


def invalid_parameter(message: str) -> Exception:
    """RDS's InvalidParameterValue (moto's own class, loaded with moto's RDS models)."""
    from moto.rds.exceptions import InvalidParameterValue

    return InvalidParameterValue(message)


def invalid_combination(message: str) -> Exception:
    """RDS's InvalidParameterCombination (HTTP 400), e.g. "Cannot find version 8.0.40 for mysql"."""
    from moto.rds.exceptions import InvalidParameterCombination

    return InvalidParameterCombination(message)
