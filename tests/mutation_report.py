"""Write build/mutation/report.md from mutmut's results in mutants/: per module killed, survived, timeout, score.

Run by ``make mutation`` after ``mutmut run``, from the project root (mutmut reads its settings from
pyproject.toml there). A module's score is killed (timeouts count as killed: the mutant hung the code)
over every mutant mutmut made in it; a mutant no test reached counts against the score.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from mutmut.configuration import config
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

KILLED = {"killed", "timeout", "caught by type check"}
REPORT = Path("build/mutation/report.md")


def score(counts: Counter[str]) -> float:
    """Killed over all mutants, in percent.

    >>> score(Counter({"killed": 9, "survived": 1}))
    90.0
    >>> score(Counter())
    0.0
    """
    total = sum(counts.values())
    return 100.0 * sum(counts[s] for s in KILLED) / total if total else 0.0


def changed_lines(mutant: str, module: str) -> str:
    """The lines a mutant changed (the diff without its headers and context)."""
    diff = get_diff_for_mutant(mutant, path=module).splitlines()
    return "\n".join(line for line in diff if line[:1] in "-+" and line[:3] not in ("---", "+++"))


def main() -> int:
    rows, details = [], []
    below = []
    for module in config().only_mutate:
        data = SourceFileMutationData(path=module)
        data.load()
        statuses = {name: status_by_exit_code[code] for name, code in sorted(data.exit_code_by_key.items())}
        counts = Counter(statuses.values())
        others = sum(n for s, n in counts.items() if s not in KILLED | {"survived"})
        rows.append(
            f"| {module} | {len(statuses)} | {sum(counts[s] for s in KILLED)} | {counts['survived']} "
            f"| {counts['timeout']} | {others} | {score(counts):.1f} % |"
        )
        if not statuses or score(counts) < 90:
            below.append(module)
        left = [name for name, status in statuses.items() if status not in KILLED | {"not checked"}]
        if counts["not checked"]:
            details.append(f"\n## {module}: {counts['not checked']} mutants not run yet\n")
        if left:
            details.append(f"\n## {module}: {len(left)} not killed\n")
            for name in left:
                details.append(f"- `{name}` ({statuses[name]})\n\n```diff\n{changed_lines(name, module)}\n```\n")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        "# Mutation testing (mutmut)\n\n"
        "| module | mutants | killed | survived | timeout | other (no tests, not checked, ...) | score |\n"
        "|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n" + "".join(details)
    )
    print("\n".join(rows))
    print(f"report: {REPORT}")
    if below:
        print(f"below 90 % killed: {', '.join(below)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
