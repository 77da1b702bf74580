"""``crm.check``: right or wrong, with a hint, for every exercise of the notebook series.

Every exercise has an id ``"NN.k"`` (notebook NN, exercise k) and an entry in
:data:`crm_research.course.exercises.EXERCISES`: either a function that computes
the expected answer from the objects of the notebook passed to the check (so a
check stays right on a student's own dataset), or a test the answer must pass.
In a notebook the solution cell ends with ``assert crm.check("NN.k", answer, ...)``;
the student copy keeps only the check line and ``answer = ...``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Number
from typing import Any

import numpy as np

from crm_research.core.errors import CRMInputError
from crm_research.course.exercises import EXERCISES

__all__ = ["check", "CheckResult"]


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer: ``bool(result)`` is True when it is right."""

    exercise: str
    correct: bool
    answered: bool
    message: str
    hint: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        lines = [f"Exercise {self.exercise}: {self.message}"]
        if not self.correct and self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        colour = "#2E7D32" if self.correct else ("#9E9E9E" if not self.answered else "#C62828")
        hint = "" if self.correct or not self.hint else f"<br><i>Hint:</i> {html.escape(self.hint)}"
        return (f'<div style="border-left:4px solid {colour};padding:4px 8px"><b>Exercise '
                f"{html.escape(self.exercise)}</b>: {html.escape(self.message)}{hint}</div>")


def _is_number(x: Any) -> bool:
    return isinstance(x, Number | np.number) and not isinstance(x, bool | np.bool_)


def same_answer(answer: Any, expected: Any, *, rel_tol: float = 1e-3, abs_tol: float = 5e-4) -> bool:
    """Whether ``answer`` equals ``expected``: numbers within tolerance, text ignoring case and spaces.

    Tuples and lists are compared element by element, sets as sets, booleans
    exactly (``True`` is not the number 1 here).

    Examples
    --------
    >>> same_answer(0.8016, 0.80157)
    True
    >>> same_answer(("Web ", 20.0), ("web", 20))
    True
    >>> same_answer(True, 1)
    False
    """
    if isinstance(expected, bool | np.bool_) or isinstance(answer, bool | np.bool_):
        return isinstance(answer, bool | np.bool_) and isinstance(expected, bool | np.bool_) \
            and bool(answer) == bool(expected)
    if _is_number(expected):
        if not _is_number(answer):
            return False
        a, e = float(answer), float(expected)
        if math.isnan(e):
            return math.isnan(a)
        return math.isclose(a, e, rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(expected, str):
        return isinstance(answer, str) and answer.strip().casefold() == expected.strip().casefold()
    if isinstance(expected, set | frozenset):
        if not isinstance(answer, set | frozenset | list | tuple):
            return False
        norm = {(x.strip().casefold() if isinstance(x, str) else x) for x in answer}
        return norm == {(x.strip().casefold() if isinstance(x, str) else x) for x in expected}
    if isinstance(expected, list | tuple):
        if not isinstance(answer, list | tuple | np.ndarray) or len(answer) != len(expected):
            return False
        return all(same_answer(a, e, rel_tol=rel_tol, abs_tol=abs_tol) for a, e in zip(answer, expected))
    return bool(answer == expected)


def check(exercise: str, answer: Any, **context: Any) -> CheckResult:
    """Check the answer to one exercise of the notebook series.

    Parameters
    ----------
    exercise : str
        The exercise id, ``"NN.k"`` (notebook NN, exercise k; lettered notebooks as in ``"06b.1"``),
        as printed in the notebook.
    answer : object
        Your answer: a number, a text, a tuple or list of them, or ``True``/``False``.
        ``...`` (Ellipsis, the placeholder of the student notebooks) means "not answered yet".
    **context
        The objects of the notebook the check needs (named in the exercise's
        check line), so the expected answer is computed on *your* data.

    Returns
    -------
    CheckResult
        ``correct``, ``answered``, ``message`` and ``hint``; ``bool(result)`` is
        ``correct``, so a solution can ``assert crm.check(...)``.

    Examples
    --------
    >>> import crm_research as crm
    >>> crm.check("01.3", 0.476)
    Exercise 01.3: right.
    >>> bool(crm.check("01.3", 0.40))
    False
    >>> crm.check("01.3", ...).answered
    False
    """
    if exercise not in EXERCISES:
        raise CRMInputError(f"check: unknown exercise {exercise!r}; exercise ids look like '06.1' "
                            f"(notebook 06, exercise 1) or '06b.1'. Known: {', '.join(sorted(EXERCISES))}.")
    ex = EXERCISES[exercise]
    missing = [name for name in ex.needs if name not in context]
    if missing:
        raise CRMInputError(f"check: exercise {exercise} needs {', '.join(missing)} passed by name, e.g. "
                            f"crm.check({exercise!r}, answer, {missing[0]}={missing[0]}).")
    if answer is Ellipsis:
        return CheckResult(exercise, False, False, "not answered yet: replace ... by your answer.", ex.hint)
    if ex.accept is not None:
        ok = bool(ex.accept(answer, **context))
    else:
        expected = ex.solve(**context)
        ok = same_answer(answer, expected, rel_tol=ex.rel_tol, abs_tol=ex.abs_tol)
    return CheckResult(exercise, ok, True, "right." if ok else "not yet right.", ex.hint)
