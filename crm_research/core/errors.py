"""The toolkit's single error type for bad input."""

from __future__ import annotations


class CRMInputError(ValueError):
    """Raised when an argument, column or value is not what a function expects.

    It subclasses :class:`ValueError`, so ``except ValueError`` still catches it.
    The message always names the offending argument, column or value and says
    what was expected, so a student can fix the input without reading a
    traceback.
    """


class CRMConvergenceWarning(UserWarning):
    """Issued when an iterative estimator stops without meeting its tolerance."""
