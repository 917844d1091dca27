"""Each execution environment's temporary credentials for its function's execution role, and who holds them.

On AWS, Lambda assumes the function's execution role for every execution environment and hands the
environment the session's temporary credentials (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``); the SDK in the handler signs with them, so every AWS call the function makes
runs as ``arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION``. pocketcloud does the same: it issues an
``ASIA...`` key per environment and remembers whose it is, so that the edge can tell, from a request's
signature alone, which function, version and environment sent it (:meth:`Credentials.caller_of`).

Example::

    caller = credentials.issue("hello", "$LATEST", "arn:aws:iam::123456789012:role/hello-role", env.id)
    credentials.caller_of(caller.access_key_id).arn
    # 'arn:aws:sts::123456789012:assumed-role/hello-role/hello'
"""

from __future__ import annotations

import dataclasses
import secrets
import string

_KEY_ALPHABET = string.ascii_uppercase + string.digits
# "AWS4-HMAC-SHA256 Credential=": where the access key starts in a SigV4 Authorization header.
_CREDENTIAL_AT = len("AWS4-HMAC-SHA256 Credential=")
_KEY_LENGTH = 20  # ASIA + 16, as STS issues them


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who holds a key pocketcloud issued: one execution environment of one function version."""

    function: str
    version: str
    role_arn: str  # the execution role, as the function's configuration names it
    environment_id: str  # ExecutionEnvironment.id; the environment may since have been destroyed
    access_key_id: str
    secret_access_key: str = dataclasses.field(repr=False)
    session_token: str = dataclasses.field(repr=False)

    @property
    def account_id(self) -> str:
        """The role's account (arn:aws:iam::ACCOUNT:role/...)."""
        return self.role_arn.split(":")[4]

    @property
    def role_name(self) -> str:
        """The role's name, without its path."""
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def arn(self) -> str:
        """The assumed-role session ARN AWS names in CloudTrail and in AccessDenied messages; Lambda names the
        session after the function."""
        return f"arn:aws:sts::{self.account_id}:assumed-role/{self.role_name}/{self.function}"

    def environment_variables(self) -> dict[str, str]:
        """The variables Lambda sets in the environment for the SDK to sign with."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }


class Credentials:
    """The keys issued to execution environments, by access key id.

    A key stays valid after its environment is gone, as an STS session outlives the sandbox on AWS;
    one small record per environment ever started is kept for the server's life.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, Caller] = {}

    def issue(self, function: str, version: str, role_arn: str, environment_id: str) -> Caller:
        """New temporary credentials for ``environment_id``, running ``function:version`` as ``role_arn``."""
        while True:
            key = "ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(_KEY_LENGTH - 4))
            if key not in self._by_key:
                break
        caller = Caller(
            function=function,
            version=version,
            role_arn=role_arn,
            environment_id=environment_id,
            access_key_id=key,
            secret_access_key=secrets.token_urlsafe(30)[:40],
            session_token=secrets.token_urlsafe(96),
        )
        self._by_key[key] = caller
        return caller

    def caller_of(self, access_key: str) -> Caller | None:
        """The environment a key was issued to, or None for any other key (the learner's, the tests')."""
        return self._by_key.get(access_key)

    def caller_of_authorization(self, authorization: str) -> Caller | None:
        """The caller whose key signed a SigV4 ``Authorization`` header, or None; cheap enough for every
        request (a slice and a dict look-up).

        >>> Credentials().caller_of_authorization("AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/s3/...")
        """
        return self._by_key.get(authorization[_CREDENTIAL_AT : _CREDENTIAL_AT + _KEY_LENGTH])

    def __len__(self) -> int:
        return len(self._by_key)
