"""Function states and update status, as Lambda reports and enforces them.

The rules, from "Lambda function states" (AWS Lambda Developer Guide):

- After CreateFunction a function is ``Pending`` (StateReasonCode ``Creating``) while Lambda sets up its
  resources (a VPC function's network interfaces take longest), then ``Active``. Lambda does not invoke a
  pending function: Invoke, UpdateFunctionCode, UpdateFunctionConfiguration and PublishVersion fail.
- UpdateFunctionCode and UpdateFunctionConfiguration set ``LastUpdateStatus: InProgress`` until the update is
  applied, then ``Successful`` (or ``Failed``, with a reason code such as ``SubnetOutOfIPAddresses``, the previous
  configuration staying; a creation that fails so leaves ``State: Failed``: see ``show_failure``). The state
  stays Active, invocations keep running the previous code and
  configuration until then, and another update or PublishVersion fails meanwhile.

Both refusals are ``ResourceConflictException`` (HTTP 409) with the messages AWS answers. The times are
settings (``lambda_pending_seconds``, ``lambda_vpc_pending_seconds``, ``lambda_update_seconds``); states are
kept per function name, computed from the clock when asked, so nothing runs in the background.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import TYPE_CHECKING, Any

from .errors import LambdaError

if TYPE_CHECKING:
    from ..settings import Settings
    from .functions import FunctionSpec

# What AWS answers in StateReason / LastUpdateStatusReason while it creates or updates a function.
CREATING_REASON = "The function is being created."


@dataclasses.dataclass
class _Lifecycle:
    arn: str
    active_at: float  # time.monotonic() when Pending turns Active
    updated_at: float = 0.0  # when the update in progress completes (0: none since creation)
    previous: FunctionSpec | None = None  # what invocations run until then (its code stays unpacked)


def show_failure(config: dict[str, Any], failure: tuple[str, str, str] | None) -> None:
    """Overlay a failed creation (``State: Failed``) or a failed update (``LastUpdateStatus: Failed``) on
    ``config``, once the Pending / InProgress period it was tried in is over. ``failure`` is (reason code,
    reason, "create" or "update"), as the VPC rules record it on the function.

    >>> config = {"State": "Active", "LastUpdateStatus": "Successful"}
    >>> show_failure(config, ("SubnetOutOfIPAddresses", "no address", "update"))
    >>> config["State"], config["LastUpdateStatus"], config["LastUpdateStatusReasonCode"]
    ('Active', 'Failed', 'SubnetOutOfIPAddresses')
    """
    if failure is None or config.get("State") == "Pending" or config.get("LastUpdateStatus") == "InProgress":
        return
    code, reason, when = failure
    if when == "create":
        config.update(State="Failed", StateReason=reason, StateReasonCode=code)
    config.update(LastUpdateStatus="Failed", LastUpdateStatusReason=reason, LastUpdateStatusReasonCode=code)


def invoke_refused(state: str) -> LambdaError:
    """What Invoke answers for a function that is not Active: "Functions can only be successfully invoked while
    active" ("Lambda function states"). AWS's answer for ``Pending``; for ``Failed`` (a function whose creation
    failed, to be deleted and created again) AWS documents no error, so it is the same answer naming that state.

    >>> invoke_refused("Failed").message[-30:]
    'in the following state: Failed'
    """
    return LambdaError(
        "ResourceConflictException",
        f"The operation cannot be performed at this time. The function is currently in the following state: {state}",
        409,
    )


class FunctionStates:
    """Pending -> Active after CreateFunction, InProgress -> Successful after updates, by function name.

    Called from moto's worker threads (the control plane) and the event loop (Invoke), hence the lock;
    the invoke path reads ``busy`` first, so that functions past their transitions cost one attribute read.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._functions: dict[str, _Lifecycle] = {}
        self.busy = False  # some function is Pending or has an update in progress (or had, until looked at)

    # -- transitions (control plane) ------------------------------------------------------------------
    def created(self, name: str, arn: str, in_vpc: bool) -> None:
        delay = self.settings.lambda_vpc_pending_seconds if in_vpc else self.settings.lambda_pending_seconds
        with self._lock:
            self._functions[name] = _Lifecycle(arn, time.monotonic() + delay)
            self.busy = True

    def refuse_change(self, name: str) -> None:
        """Raise what UpdateFunctionCode, UpdateFunctionConfiguration and PublishVersion answer while the
        function is Pending or an update is in progress."""
        lifecycle, now = self._current(name), time.monotonic()
        if lifecycle is None:
            return
        if now < lifecycle.active_at:
            raise LambdaError(
                "ResourceConflictException",
                "The operation cannot be performed at this time. "
                f"The resource {lifecycle.arn} is currently in the following state: 'Pending'. "
                "StateReasonCode: 'Creating'",
                409,
            )
        if now < lifecycle.updated_at:
            raise LambdaError(
                "ResourceConflictException",
                "The operation cannot be performed at this time. "
                f"An update is in progress for resource: {lifecycle.arn}",
                409,
            )

    def update_started(self, name: str, arn: str, previous: FunctionSpec, vpc_change: bool) -> None:
        """An update of ``name`` was accepted: InProgress from now on; ``previous`` keeps serving until done."""
        delay = self.settings.lambda_vpc_pending_seconds if vpc_change else self.settings.lambda_update_seconds
        with self._lock:
            lifecycle = self._functions.get(name) or _Lifecycle(arn, 0.0)
            lifecycle.updated_at = time.monotonic() + delay
            lifecycle.previous = previous
            self._functions[name] = lifecycle
            self.busy = True

    # -- the data plane ---------------------------------------------------------------------------------
    def refuse_invoke(self, name: str) -> None:
        """Raise what Invoke answers for a Pending function (synchronous, Event and DryRun alike)."""
        lifecycle = self._current(name)
        if lifecycle is not None and time.monotonic() < lifecycle.active_at:
            raise invoke_refused("Pending")

    def previous(self, name: str) -> FunctionSpec | None:
        """The code and configuration $LATEST invocations run while an update is in progress, else None."""
        lifecycle = self._current(name)
        if lifecycle is None or lifecycle.previous is None or time.monotonic() >= lifecycle.updated_at:
            return None
        return lifecycle.previous

    # -- what GetFunction / GetFunctionConfiguration show ---------------------------------------------
    def describe(self, name: str, config: dict[str, Any]) -> None:
        """Overlay the state and update status on $LATEST's configuration as moto built it."""
        lifecycle, now = self._current(name), time.monotonic()
        if lifecycle is None:
            return
        if now < lifecycle.active_at:
            config.update(State="Pending", StateReason=CREATING_REASON, StateReasonCode="Creating")
            # "first set to Successful after function creation completes" (FunctionConfiguration)
            config.pop("LastUpdateStatus", None)
        elif now < lifecycle.updated_at:
            config.update(
                LastUpdateStatus="InProgress",
                LastUpdateStatusReason=CREATING_REASON,
                LastUpdateStatusReasonCode="Creating",
            )

    def forget(self, name: str) -> None:
        with self._lock:
            self._functions.pop(name, None)

    def _current(self, name: str) -> _Lifecycle | None:
        """``name``'s lifecycle while it is in a transition; finished ones are dropped."""
        if not self.busy:
            return None
        now = time.monotonic()
        with self._lock:
            for done in [n for n, f in self._functions.items() if now >= max(f.active_at, f.updated_at)]:
                del self._functions[done]
            self.busy = bool(self._functions)
            return self._functions.get(name)
