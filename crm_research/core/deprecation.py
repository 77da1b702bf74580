"""Renamed arguments keep working for one release, with a ``FutureWarning``.

The API vocabulary (``bootstrap``, ``seed``, ``ci``, ``level``, ``n_jobs``,
``progress``, ``*_col``, ``items``; see CONTRIBUTING.md) was unified in 0.2.
A function whose argument was renamed is decorated with
:func:`renamed_arguments`, so old notebooks and theses still run and tell the
reader the new name.  The old names are removed in the release after.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import TypeVar

from crm_research.core.errors import CRMInputError

__all__ = ["renamed_arguments"]

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
