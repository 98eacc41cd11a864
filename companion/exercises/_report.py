"""What a check found: one :class:`CaseResult` per case and the :class:`CheckReport` over all of them.

The report's text lists every failing case (up to :attr:`CheckReport.max_shown` in detail; the
rest are counted) with its inputs, the expected result, what the learner's function returned or
raised (exception type, message and the learner's line), and what is wrong.
Introduced in chapter 00 (how to check yourself); every chapter's exercises use it.
"""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._model import Case

__all__ = ["CaseResult", "CheckReport", "format_value"]

_INDENT = "    "


def format_value(value: Any, *, max_lines: int = 10, max_chars: int = 600) -> str:
    """Render ``value`` for a report: tables and arrays as text blocks, others as a cut ``repr``."""
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, pd.DataFrame):
        dtypes = ", ".join(f"{c}: {t}" for c, t in value.dtypes.items())
        header = f"DataFrame ({value.shape[0]} rows x {value.shape[1]} columns; {dtypes})"
        if value.empty:
            return f"{header}, columns {list(value.columns)!r}"
        return header + "\n" + value.to_string(max_rows=max_lines - 2, min_rows=max_lines - 2)
    if pd is not None and isinstance(value, pd.Series):
        header = f"Series ({len(value)} rows, dtype {value.dtype})"
        if value.empty:
            return header
        return header + "\n" + value.to_string(max_rows=max_lines - 2, min_rows=max_lines - 2)
    if isinstance(value, np.ndarray):
        body = np.array2string(value, threshold=40, edgeitems=4, max_line_width=100)
        return f"array(shape={value.shape}, dtype={value.dtype})\n{body}" if value.ndim else repr(value)
    text = repr(value)
    if len(text) > max_chars:
        text = text[: max_chars - 3] + "..."
    lines = text.splitlines() or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines] + ["..."]
    return "\n".join(lines)


@dataclass
class CaseResult:
    """The outcome of one case.

    Attributes
    ----------
    label : str
        e.g. ``"reference case 2 of 3 (all clicks are zero)"`` or ``"random case 7 (seed=0)"``.
    case : Case
        The input.
    inputs : list of (str, Any)
        The input as ``(parameter name, value)`` pairs, for display.
    status : str
        ``"passed"``, ``"failed"`` (wrong result, broken property or missing exception),
        ``"error"`` (the learner's function raised), ``"timeout"`` or ``"skipped"``.
    problems : list of str
        Why the case failed; empty when it passed.
    expected : Any
        The reference result, or the exception the reference raised.
    got : Any
        The learner's result (``None`` if it raised).
    error : str or None
        ``"Type: message"`` of the learner's exception (including a timeout).
    learner_line : str or None
        Where in the learner's code the exception was raised (or the loop was stopped).
    elapsed_s : float
        Wall-clock time of the learner's call.
    output : str
        What the learner's call printed (the first 2,000 characters), when it ran isolated.
    output_omitted : int
        How many more characters it printed.
    """

    label: str
    case: Case
    inputs: list[tuple[str, Any]] = field(default_factory=list)
    status: str = "passed"
    problems: list[str] = field(default_factory=list)
    expected: Any = None
    got: Any = None
    error: str | None = None
    learner_line: str | None = None
    elapsed_s: float = 0.0
    output: str = ""
    output_omitted: int = 0

    @property
    def passed(self) -> bool:
        """Whether the case passed."""
        return self.status == "passed"

    def to_text(self) -> str:
        """Multi-line description of the case and, if it failed, why."""
        lines = [f"{self.label} -- {self.status.upper()}"]
        lines.append("inputs:")
        for name, value in self.inputs or [("(none)", None)]:
            lines.append(_block(f"{name} = ", format_value(value), _INDENT))
        if isinstance(self.expected, BaseException):
            lines.append(f"expected: raises {type(self.expected).__name__}")
        else:
            lines.append(_block("expected: ", format_value(self.expected), ""))
        if self.error is not None:
            lines.append(_block("raised:   ", self.error, ""))
            if self.learner_line:
                lines.append(_block("at:       ", self.learner_line, ""))
        elif self.status != "skipped":
            lines.append(_block("got:      ", format_value(self.got), ""))
        for problem in self.problems:
            lines.append(_block("problem:  ", problem, ""))
        if self.output or self.output_omitted:
            lines_out = [line[:100] for line in self.output.splitlines()[:8]]
            shown = "\n".join(lines_out)
            more = len(self.output) - len(shown) + self.output_omitted
            if more > 0:
                shown += f"\n... ({more:,} more characters not shown)"
            lines.append(_block("printed:  ", shown, ""))
        return "\n".join(lines)


def _block(head: str, text: str, indent: str) -> str:
    first, *rest = text.splitlines() or [""]
    pad = indent + " " * len(head)
    return indent + head + first + "".join("\n" + pad + line for line in rest)


@dataclass
class CheckReport:
    """The result of :func:`companion.exercises.check`.

    Attributes
    ----------
    exercise_id, title : str
        Which exercise was checked.
    seed : int
        Seed of the random cases (rerun with it to reproduce them).
    results : list of CaseResult
        Every case, in order.
    max_shown : int
        How many failures the text shows in detail; the others are counted.
    """

    exercise_id: str
    title: str
    seed: int
    results: list[CaseResult] = field(default_factory=list)
    max_shown: int = 10

    @property
    def failures(self) -> list[CaseResult]:
        """Cases that failed, raised or timed out (skipped cases are not included)."""
        return [r for r in self.results if r.status in ("failed", "error", "timeout")]

    @property
    def n_cases(self) -> int:
        """Number of cases, including skipped ones."""
        return len(self.results)

    @property
    def n_failed(self) -> int:
        """Number of failing cases."""
        return len(self.failures)

    @property
    def n_skipped(self) -> int:
        """Number of cases not run (after a timeout)."""
        return sum(r.status == "skipped" for r in self.results)

    @property
    def passed(self) -> bool:
        """True when every case ran and passed."""
        return bool(self.results) and all(r.passed for r in self.results)

    def summary(self) -> str:
        """The verdict and counts, on lines of at most about 78 characters (the book's page width)."""
        if self.passed:
            return f"PASSED {self.exercise_id}: all {self.n_cases} cases passed (seed={self.seed})."
        ran = self.n_cases - self.n_skipped
        text = f"FAILED {self.exercise_id}: {self.n_failed} of {ran} cases run failed (seed={self.seed})"
        if self.n_skipped:
            text += f";\n{self.n_skipped} more not run after a timeout"
        return text + "."

    def __str__(self) -> str:
        lines = [self.summary()]
        if not self.passed:
            lines.append(f"exercise: {self.title}")
        shown = self.failures[: self.max_shown]
        for i, result in enumerate(shown, start=1):
            lines.append("")
            lines.append(f"[{i}] " + textwrap.indent(result.to_text(), "    ")[4:])
        hidden = self.n_failed - len(shown)
        if hidden > 0:
            lines.append("")
            lines.append(f"... and {hidden} more failing case(s) not shown.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else f"failed {self.n_failed}/{self.n_cases}"
        return f"<CheckReport {self.exercise_id}: {verdict}>"

    def raise_if_failed(self) -> CheckReport:
        """Raise :class:`AssertionError` with the report text unless the check passed; else return self."""
        if not self.passed:
            raise AssertionError(str(self))
        return self
