"""Fast mode: fewer resamples when the test suite executes the notebooks.

``CRM_FAST=1`` (or true/yes/on) makes heavy steps choose smaller *defaults*
(bootstrap resamples, iterations).  It never overrides an argument the caller
gave explicitly: a function reads :func:`fast_mode` only when its own argument
was left at ``None``.
"""

from __future__ import annotations

import os

__all__ = ["fast_mode"]


def fast_mode() -> bool:
    """True when ``CRM_FAST`` is set to 1/true/yes/on.

    Examples
    --------
    >>> import os
    >>> from crm_research.core.fastmode import fast_mode
    >>> isinstance(fast_mode(), bool)
    True
    """
    return os.environ.get("CRM_FAST", "").strip().lower() in {"1", "true", "yes", "on"}
