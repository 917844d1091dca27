"""Which language the workshop speaks: the argument, WORKSHOP_LANGUAGE, the notebook's path, the kernel's folder.

The Korean notebooks (``notebooks/ko/``) run the same code cells as the English ones, so the language is read
from where the kernel runs, never written in a cell::

    connect(language="ko")                      # 1. an explicit argument wins
    WORKSHOP_LANGUAGE=ko                        # 2. the environment (en or ko)
    JPY_SESSION_NAME=notebooks/ko/01_x.ipynb    # 3. the notebook JupyterLab runs: a "ko" folder means Korean
    cwd = .../notebooks/ko                      # 4. nbval and nbconvert start the kernel in the notebook's folder

and English otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePath

LANGUAGES = ("en", "ko")
DEFAULT = "en"
KOREAN_FOLDER = "ko"


def valid_language(language: str, *, source: str = "connect(language=...)") -> str:
    """``language`` normalised (``" KO "`` -> ``"ko"``), or a ValueError naming where it came from.

    >>> valid_language(" KO ")
    'ko'
    """
    chosen = language.strip().lower()
    if chosen not in LANGUAGES:
        raise ValueError(f"the language must be one of {', '.join(LANGUAGES)} ({source}), not {language!r}")
    return chosen


def _from_notebook_path(path: str) -> str | None:
    """The language of the notebook at ``path`` (JupyterLab's JPY_SESSION_NAME), None when it is no notebook.

    >>> _from_notebook_path("notebooks/ko/01_first_lambda.ipynb"), _from_notebook_path("/lab/01_first_lambda.ipynb")
    ('ko', 'en')
    >>> _from_notebook_path("Console 1") is None
    True
    """
    pure = PurePath(path)
    if pure.suffix != ".ipynb":
        return None  # a console or a terminal: the folder decides
    return KOREAN_FOLDER if KOREAN_FOLDER in pure.parts[:-1] else DEFAULT


def detect_language(
    argument: str | None = None, *, environ: Mapping[str, str] | None = None, cwd: Path | str | None = None
) -> str:
    """The language the helpers speak, from the first of: ``argument``, ``WORKSHOP_LANGUAGE``, the notebook
    in ``JPY_SESSION_NAME``, the working folder being a ``ko`` folder; else ``en``.

    >>> detect_language("ko", environ={"WORKSHOP_LANGUAGE": "en"})
    'ko'
    >>> detect_language(environ={"WORKSHOP_LANGUAGE": "ko"}, cwd="/tmp")
    'ko'
    >>> detect_language(environ={"JPY_SESSION_NAME": "/home/me/lab/ko/02_rest_api.ipynb"}, cwd="/tmp")
    'ko'
    >>> detect_language(environ={}, cwd="/work/notebooks/ko"), detect_language(environ={}, cwd="/work/notebooks")
    ('ko', 'en')
    """
    if argument:
        return valid_language(argument)
    environ = os.environ if environ is None else environ
    if environ.get("WORKSHOP_LANGUAGE", "").strip():
        return valid_language(environ["WORKSHOP_LANGUAGE"], source="WORKSHOP_LANGUAGE")
    from_notebook = _from_notebook_path(environ.get("JPY_SESSION_NAME", "").strip())
    if from_notebook is not None:
        return from_notebook
    folder = Path.cwd() if cwd is None else Path(cwd)
    return KOREAN_FOLDER if folder.name == KOREAN_FOLDER else DEFAULT
