"""Construct scores: the mean (or sum) of a construct's items for every respondent.

The tests of a thesis's chapter 4 (normality, one-sample test against the
midpoint, Friedman ranking, group comparisons, correlation matrix) are run on
construct scores, not on single items.
"""

from __future__ import annotations

import pandas as pd

from crm_research.core.validation import check_choice, check_constructs, check_dataframe, check_scale
from crm_research.psychometrics.descriptives import prepare_items

__all__ = ["construct_scores"]


def construct_scores(data, constructs, *, method: str = "mean", missing: str = "listwise",
                     scale=None) -> pd.DataFrame:
    """Mean (or sum) score of every construct for every respondent.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers, one row per respondent (reverse-worded items already
        recoded).
    constructs : dict
        Construct name -> list of item columns, e.g. ``{"SAT": ["SAT1",
        "SAT2", "SAT3"]}``.
    method : {"mean", "sum"}
        The mean of the items keeps the scale of the answers (1-5), so it can
        be compared with the scale midpoint; the sum does not.
    missing : {"listwise", "pairwise"}
        The toolkit's missing-data rule (as in :func:`crm_research.construct_reliability`
        and :func:`crm_research.sem`): ``"listwise"`` keeps only the respondents
        who answered every item of every construct, so all scores come from
        the same respondents; ``"pairwise"`` keeps every respondent and gives a
        construct score only where all of *that* construct's items are
        answered (NaN otherwise).  A score is never the mean of the items a
        respondent happened to answer, which would mix different questions.
    scale : tuple, optional
        ``(min, max)`` of the answers; values outside it raise an error.

    Returns
    -------
    pandas.DataFrame
        One column per construct, indexed like the kept rows of ``data``.

    Examples
    --------
    >>> import crm_research as crm
    >>> survey = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    >>> scores = crm.construct_scores(survey, {"SAT": ["SAT1", "SAT2", "SAT3", "SAT4"],
    ...                                        "LOY": ["LOY1", "LOY2", "LOY3", "LOY4"]})
    >>> scores.shape
    (349, 2)
    >>> round(float(scores["SAT"].mean()), 3)
    3.847
    """
    func = "construct_scores"
    data = check_dataframe(data, "data", func)
    constructs = check_constructs(data, constructs, func)
    method = check_choice(method, "method", ["mean", "sum"], func)
    missing = check_choice(missing, "missing", ["listwise", "pairwise"], func)
    if scale is not None:
        scale = check_scale(scale, func)
    items = [i for its in constructs.values() for i in its]
    x, _ = prepare_items(data, items, func, scale=scale, missing=missing)
    out = {}
    for name, its in constructs.items():
        block = x[its]
        score = block.mean(axis=1, skipna=False) if method == "mean" else block.sum(axis=1, skipna=False)
        out[name] = score
    return pd.DataFrame(out, index=x.index)
