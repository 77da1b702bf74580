"""Recoding answers before analysis: reverse-worded items.

It lives in the data layer because the study reader applies it while loading a
questionnaire, before any statistic is computed.
"""

from __future__ import annotations

import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.validation import check_columns, check_dataframe, check_numeric_columns, check_scale

__all__ = ["reverse_code"]


@positional_options
def reverse_code(data, items, *, scale=(1, 5)) -> pd.DataFrame:
    """Reverse-code negatively worded items: ``min + max - x``.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers; it is not modified.
    items : str or list of str
        The reverse-worded item columns.
    scale : tuple (min, max), default (1, 5)
        The answer scale, e.g. ``(1, 7)`` for a seven-point item.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with ``items`` reversed (as floats; missing answers
        stay missing).  Persian digits in text cells are read as numbers.

    Notes
    -----
    On a scale from :math:`a` to :math:`b` the reversed answer is
    :math:`a + b - x`, so 1 <-> 5 and 2 <-> 4 on a five-point scale.  Reverse
    coding must come before alpha, item analysis or factor analysis: a
    reverse-worded item left as answered correlates negatively with its scale
    and lowers alpha (Nunnally & Bernstein, 1994, ch. 8).

    References
    ----------
    Nunnally, J. C., & Bernstein, I. H. (1994). *Psychometric theory* (3rd ed.).
    McGraw-Hill.

    Examples
    --------
    >>> import crm_research as crm
    >>> survey = crm.load_dataset("ecrm_survey")
    >>> fixed = crm.reverse_code(survey, ["SAT3r", "LOY4r"], scale=(1, 5))
    """
    func = "reverse_code"
    data = check_dataframe(data, "data", func)
    items = check_columns(data, items, name="items", func=func)
    low, high = check_scale(scale, func)
    values = check_numeric_columns(data, items, name="data", func=func, scale=(low, high))
    out = data.copy()
    for col in items:
        out[col] = low + high - values[col]
    return out
