"""Every sentence the helpers print or draw, in the workshop's languages: ``say(key, **values)``.

One catalog per language (``en.py``, ``ko.py``), each ``MESSAGES: dict[str, str]`` of key -> ``str.format``
template. The language is chosen once per session (``helpers.connect()`` calls :func:`set_language`; before
that, :func:`detect_language` reads the environment), so figures and tables drawn without a session speak it
too.

>>> with using("ko"):
...     say("session.checkpoint_passed", message="ok")
'✔ ok'
>>> say("a sentence that is no key is shown as it is")
'a sentence that is no key is shown as it is'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from . import en, ko
from .language import DEFAULT, LANGUAGES, detect_language, valid_language

CATALOGS: Mapping[str, Mapping[str, str]] = {"en": en.MESSAGES, "ko": ko.MESSAGES}

_chosen: str | None = None

__all__ = ["CATALOGS", "LANGUAGES", "detect_language", "is_key", "language", "say", "set_language", "using"]


def language() -> str:
    """The session's language: the one ``connect()`` chose, else what the environment says."""
    return _chosen or detect_language()


def set_language(chosen: str | None) -> str:
    """Make ``chosen`` (or, when None, what the environment says) the session's language; returns it."""
    global _chosen
    _chosen = valid_language(chosen) if chosen else detect_language()
    return _chosen


@contextmanager
def using(chosen: str) -> Iterator[str]:
    """The helpers speak ``chosen`` inside the block, then the language before it again."""
    global _chosen
    before, _chosen = _chosen, valid_language(chosen)
    try:
        yield _chosen
    finally:
        _chosen = before


def is_key(text: str) -> bool:
    """True when ``text`` is a message key (in the English catalog), not a sentence.

    >>> is_key("session.checkpoint_passed"), is_key("the API answers")
    (True, False)
    """
    return text in CATALOGS[DEFAULT]


def say(key: str, /, **values: Any) -> str:
    """The message ``key`` in the session's language, with ``values`` filled in; a ``key`` that is no key (a
    plain sentence, as older cells pass to ``ws.check``) comes back as it is."""
    template = CATALOGS[language()].get(key) or CATALOGS[DEFAULT].get(key)
    if template is None:
        return key
    return template.format(**values)
