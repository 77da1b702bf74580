"""Questionnaire psychometrics: alpha + item analysis, bootstrapped HTMT, parallel analysis.

The data are loaded once when the module is imported, so the timings measure
the statistics, not the CSV reader.
"""

import timeit

import crm_research as crm

_BFI_ITEMS = [f"{c}{i}" for c in "ACENO" for i in range(1, 6)]
_BFI = crm.reverse_code(crm.load_dataset("bfi"), ["A1", "C4", "C5", "E1", "E2", "O2", "O5"], scale=(1, 6))
_CONSTRUCTS = {c: [f"{c}{i}" for i in range(1, 6)] for c in "ACENO"}


def alpha_and_item_analysis():
    # one alpha over all 25 items (the benchmark size of the issue) and one per construct
    crm.cronbach_alpha(_BFI[_BFI_ITEMS], missing="pairwise")
    crm.item_analysis(_BFI[_BFI_ITEMS], missing="pairwise")
    for items in _CONSTRUCTS.values():
        crm.cronbach_alpha(_BFI[items])
    return len(_BFI)


_ALPHA_CALLS = 200


def alpha_200_calls():
    # the comparison: one alpha over the 25 items, repeated so the time is well above timer noise
    for _ in range(_ALPHA_CALLS):
        crm.cronbach_alpha(_BFI, _BFI_ITEMS)
    return _ALPHA_CALLS * len(_BFI)


def _pingouin_alpha() -> str:
    """pingouin's time for the same 200 alphas, measured now (best of 5), for the reference column."""
    import pingouin

    data = _BFI[_BFI_ITEMS]
    best = min(timeit.repeat(lambda: pingouin.cronbach_alpha(data), number=_ALPHA_CALLS, repeat=5))
    return f"pingouin.cronbach_alpha, same 200 calls: {best:.3f} s"


def htmt_bootstrap():
    table = crm.htmt(_BFI, _CONSTRUCTS, bootstrap=2000, seed=1)
    return table.n


def parallel_analysis():
    pa = crm.parallel_analysis(_BFI, _BFI_ITEMS, n_iter=100, seed=1)
    return pa.n


def efa_oblimin():
    crm.efa(_BFI, n_factors=5, items=_BFI_ITEMS, n_iter=20, seed=1)
    return 2436


BENCHMARKS = [
    ("alpha + item analysis (bfi)", "25 items x 2,800", alpha_and_item_analysis),
    ("cronbach_alpha x 200 calls (bfi, 25 items)", "25 items x 2,800", alpha_200_calls, _pingouin_alpha),
    ("HTMT, 2,000 bootstrap resamples (bfi)", "5 constructs x 2,436", htmt_bootstrap),
    ("parallel analysis, 100 iterations (bfi)", "25 items x 2,436", parallel_analysis),
    ("EFA minres + oblimin with KMO, Bartlett, PA (bfi)", "25 items x 2,436", efa_oblimin),
]
