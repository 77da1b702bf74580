"""Renamed and newly keyword-only arguments keep working for one release, with a ``FutureWarning``.

The API vocabulary (``bootstrap``, ``seed``, ``ci``, ``level``, ``n_jobs``,
``progress``, ``*_col``, ``items``; see CONTRIBUTING.md) was unified in 0.2.
A function whose argument was renamed is decorated with
:func:`renamed_arguments`, and one whose options became keyword-only (after
``*``) with :func:`positional_options`, so old notebooks and theses still run
and tell the reader the new spelling.  Both are removed in the release after.
"""

from __future__ import annotations

import functools
import inspect
import reprlib
import warnings
from collections.abc import Callable
from typing import TypeVar

from crm_research.core.errors import CRMInputError

__all__ = ["renamed_arguments", "positional_options"]

F = TypeVar("F", bound=Callable)


def renamed_arguments(**old_to_new: str) -> Callable[[F], F]:
    """Accept the old keyword names of a function's arguments for one release.

    Parameters
    ----------
    **old_to_new : str
        ``old_name="new_name"`` for each renamed argument.

    Returns
    -------
    callable
        A decorator.  Calling the decorated function with an old name warns
        (``FutureWarning``, naming both) and passes the value on under the new
        name; giving both the old and the new name is a :class:`CRMInputError`.

    Examples
    --------
    >>> import warnings
    >>> @renamed_arguments(n_boot="bootstrap")
    ... def stability(data, *, bootstrap=100):
    ...     return bootstrap
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     stability(None, n_boot=10)
    10
    >>> caught[0].category.__name__
    'FutureWarning'
    """

    def decorate(func: F) -> F:
        params = inspect.signature(func).parameters
        for old, new in old_to_new.items():
            if new not in params:
                raise TypeError(f"{func.__qualname__} has no argument {new!r} to rename {old!r} to")
            if old in params:
                raise TypeError(f"{func.__qualname__} still has the old argument {old!r}")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise CRMInputError(
                            f"{func.__name__}() got both {old!r} (the old name) and {new!r}; give only {new!r}."
                        )
                    warnings.warn(
                        f"{func.__name__}(): the argument {old!r} is now called {new!r}; "
                        f"the old name stops working in the next release.",
                        FutureWarning,
                        stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.__renamed_arguments__ = dict(old_to_new)  # read by tests/test_api_conventions.py
        return wrapper  # type: ignore[return-value]

    return decorate


def positional_options(func: F) -> F:
    """Accept a function's keyword-only options positionally for one release.

    The options of many functions became keyword-only (after ``*``) in 0.2, so
    ``rfm(log, "id", "date", "amount", "2024-01-31")`` would now stop with a bare
    ``TypeError``.  Decorated, such a call still works: the positional values
    beyond the function's positional parameters are given, in order, to its
    keyword-only parameters, with a ``FutureWarning`` showing the call to write
    instead.  (The logic of scikit-learn's ``_deprecate_positional_args``.)
    Combined with :func:`renamed_arguments`, put that one outside.

    Parameters
    ----------
    func : callable
        A function or method with keyword-only parameters.

    Returns
    -------
    callable
        The function, accepting the old positional calls.  More positional
        values than parameters, or a value given both by position and by
        keyword, is the ``TypeError`` Python gives.

    Examples
    --------
    >>> import warnings
    >>> @positional_options
    ... def tiers(data, *, k=3, labels=None):
    ...     return k, labels
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     tiers(None, 5)
    (5, None)
    >>> print(caught[0].message)
    tiers(): pass k=5 by keyword; positional options stop working in the next release.
    """
    params = inspect.signature(func).parameters.values()
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        raise TypeError(f"{func.__qualname__} takes *args: its keyword-only parameters cannot be given by position")
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    keyword_only = [p.name for p in params if p.kind == p.KEYWORD_ONLY]
    if not keyword_only:
        raise TypeError(f"{func.__qualname__} has no keyword-only parameters")
    name = func.__name__

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        extra = len(args) - len(positional)
        if extra <= 0 or extra > len(keyword_only):  # nothing to map, or Python's own "too many" error
            return func(*args, **kwargs)
        moved = dict(zip(keyword_only, args[len(positional):], strict=False))
        both = sorted(set(moved) & set(kwargs))
        if both:
            raise TypeError(f"{name}() got multiple values for argument {both[0]!r}")
        shown = ", ".join(f"{key}={reprlib.repr(value)}" for key, value in moved.items())
        warnings.warn(
            f"{name}(): pass {shown} by keyword; positional options stop working in the next release.",
            FutureWarning,
            stacklevel=2,
        )
        return func(*args[:len(positional)], **kwargs, **moved)

    wrapper.__positional_options__ = tuple(keyword_only)  # read by tests/test_api_conventions.py
    return wrapper  # type: ignore[return-value]
