"""The account's concurrency quota, and the unreserved concurrency that reserved and provisioned concurrency must leave.

The rules, from "Configuring reserved concurrency for a function" and "Configuring provisioned concurrency
for a function" (AWS Lambda Developer Guide):

- Reserved concurrency comes out of the account's quota: the account keeps a minimum of unreserved
  concurrency (100 in an account with the usual 1,000) for functions without a reservation, so a function
  can reserve up to the unreserved concurrency minus that minimum.
- Provisioned concurrency counts against the same pool: within the function's reserved concurrency when it
  has one, otherwise out of the unreserved concurrency, which again must not drop below the minimum.

"Troubleshoot deployment issues in Lambda" names the errors; a new account, whose quota is 10 and whose
minimum is 10, can reserve and provision nothing (setting ``account_profile=new``).
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import LambdaError


class ConcurrencyQuota:
    """Example::

    quota = ConcurrencyQuota(50, 5)
    quota.check_reserved({"other": 40}, {}, "hello", 10)  # raises: 50 - 40 - 10 < 5
    """

    def __init__(self, quota: int, minimum_unreserved: int) -> None:
        self.quota = quota
        self.minimum_unreserved = minimum_unreserved

    def unreserved(self, reserved: Mapping[str, int], provisioned: Mapping[str, int]) -> int:
        """UnreservedConcurrentExecutions: the quota less every reservation and the provisioned concurrency of
        functions without one (``reserved`` and ``provisioned`` by function name; provisioned summed over
        versions and aliases)."""
        outside = sum(count for function, count in provisioned.items() if function not in reserved)
        return self.quota - sum(reserved.values()) - outside

    def check_reserved(
        self, reserved: Mapping[str, int], provisioned: Mapping[str, int], function: str, value: int
    ) -> None:
        """Raise what PutFunctionConcurrency answers when reserving ``value`` for ``function`` would leave
        less than the minimum unreserved."""
        after = {**reserved, function: value}
        if value > reserved.get(function, 0) and self.unreserved(after, provisioned) < self.minimum_unreserved:
            raise LambdaError.invalid_parameter(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{self.minimum_unreserved}]."
            )

    def check_provisioned(
        self, reserved: Mapping[str, int], provisioned: Mapping[str, int], function: str, others: int, value: int
    ) -> None:
        """Raise what PutProvisionedConcurrencyConfig answers when ``function`` asks for ``value`` on one
        qualifier while its other qualifiers hold ``others``."""
        if function in reserved:
            if others + value > reserved[function]:
                raise LambdaError.invalid_parameter(
                    "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution "
                    "for function"
                )
            return
        after = {**provisioned, function: others + value}
        if others + value > provisioned.get(function, 0) and (
            self.unreserved(reserved, after) < self.minimum_unreserved
        ):
            raise LambdaError.invalid_parameter(
                "Specified ConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{self.minimum_unreserved}]."
            )
