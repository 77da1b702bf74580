"""sem.fit.fit_indices: the one function for CFI/TLI/NFI/RFI/IFI/RNI and the RMSEA, with lavaan's edge rules.

The rules are lavaan 0.6's ``lav_fit_cfi.R`` and ``lav_fit_rmsea.R``; the regular case is
checked against lavaan's printed ``fitMeasures`` (``tests/reference/sem/*_fit.csv``).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ncx2

from crm_research.sem.fit import fit_indices, rmsea_interval

REF = Path(__file__).parent / "reference" / "sem"
NAMES = {"pvalue": "pvalue", "baseline_pvalue": "baseline.pvalue", "cfi": "cfi", "tli": "tli", "nfi": "nfi",
         "rfi": "rfi", "ifi": "ifi", "rni": "rni", "rmsea": "rmsea", "rmsea_ci_lower": "rmsea.ci.lower",
         "rmsea_ci_upper": "rmsea.ci.upper", "rmsea_pvalue": "rmsea.pvalue"}


def test_regular_case_equals_lavaan():
    ref = pd.read_csv(REF / "hs_cfa_fit.csv").set_index("measure")["value"]
    fi = fit_indices(ref["chisq"], ref["df"], ref["baseline.chisq"], ref["baseline.df"], ref["ntotal"])
    for ours, theirs in NAMES.items():
        assert fi[ours] == pytest.approx(ref[theirs], abs=1e-8), ours


def test_scaled_statistics_of_an_ordinal_fit_equal_lavaan():
    # lavaan's cfi.scaled etc.: the same formulas with both statistics scaled, N - 1 for categorical data
    ref = pd.read_csv(REF / "hs_ordinal_fit.csv").set_index("measure")["value"]
    n = len(pd.read_csv(REF / "hs_ordinal.csv"))
    fi = fit_indices(ref["chisq"], ref["df"], ref["baseline.chisq"], ref["baseline.df"], n - 1)
    for key in ("cfi", "tli", "nfi", "rfi", "ifi", "rni", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue"):
        assert fi[key.replace(".", "_")] == pytest.approx(ref[key], abs=1e-8), key
    fs = fit_indices(ref["chisq.scaled"], ref["df"], ref["baseline.chisq.scaled"], ref["baseline.df"], n - 1)
    for key in ("cfi", "tli", "nfi", "rfi", "ifi", "rni", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue"):
        assert fs[key.replace(".", "_")] == pytest.approx(ref[f"{key}.scaled"], abs=1e-8), key


def test_saturated_model_df_zero():
    # lavaan: CFI = TLI = NFI = RFI = 1, RMSEA = 0 with interval (0, 0), no p-values
    fi = fit_indices(0.0, 0, 918.85, 36, 301)
    assert (fi["cfi"], fi["tli"], fi["nfi"], fi["rfi"], fi["rmsea"]) == (1.0, 1.0, 1.0, 1.0, 0.0)
    assert (fi["rmsea_ci_lower"], fi["rmsea_ci_upper"]) == (0.0, 0.0)
    assert np.isnan(fi["pvalue"]) and np.isnan(fi["rmsea_pvalue"])


def test_chisq_below_df():
    # CFI is capped at 1 but TLI and RNI are not (lavaan >= 0.5-21); RMSEA is 0 and its lower bound too
    fi = fit_indices(20.0, 24, 918.85, 36, 301)
    assert fi["cfi"] == 1.0
    assert fi["tli"] > 1.0 and fi["rni"] > 1.0
    assert fi["tli"] == pytest.approx(1 - (20 - 24) * 36 / ((918.85 - 36) * 24))
    assert fi["rmsea"] == 0.0 and fi["rmsea_ci_lower"] == 0.0
    assert fi["rmsea_ci_upper"] > 0.0


def test_baseline_that_fits_perfectly():
    # X2b = dfb: the baseline has no noncentrality. lavaan: TLI = 1 (undefined ratio), RNI = NA,
    # CFI = 0 for a model that misfits (t1 = t2 > 0) and 1 for one that does not
    fi = fit_indices(30.0, 24, 36.0, 36, 301)
    assert fi["tli"] == 1.0
    assert np.isnan(fi["rni"])
    assert fi["cfi"] == 0.0
    assert fit_indices(20.0, 24, 36.0, 36, 301)["cfi"] == 1.0
    # X2b below the model's df: IFI is set to 1
    assert fit_indices(20.0, 24, 22.0, 36, 301)["ifi"] == 1.0


def test_baseline_with_fewer_df_than_the_model():
    fi = fit_indices(50.0, 40, 918.85, 36, 301)
    assert np.isnan(fi["nfi"]) and np.isnan(fi["rfi"])


def test_baseline_chisq_zero_makes_nfi_undefined():
    assert np.isnan(fit_indices(0.0, 0, 0.0, 36, 301)["nfi"])


def test_missing_statistic_gives_missing_indices():
    # lavaan: NA in, NA out (a scaled statistic that could not be computed)
    fi = fit_indices(np.nan, 24, 918.85, 36, 301)
    assert all(np.isnan(v) for v in fi.values())


def test_several_groups_scale_rmsea_and_its_interval():
    one = fit_indices(120.0, 48, 1500.0, 72, 301)
    two = fit_indices(120.0, 48, 1500.0, 72, 301, groups=2)
    for key in ("rmsea", "rmsea_ci_lower", "rmsea_ci_upper"):
        assert two[key] == pytest.approx(one[key] * np.sqrt(2), rel=1e-10), key
    # the close-fit null's noncentrality is divided by G (Dudgeon, 2004, eq. 16, as lavaan)
    assert two["rmsea_pvalue"] == pytest.approx(ncx2.sf(120.0, 48, 301 * 48 * 0.05**2 / 2), rel=1e-12)
    assert two["cfi"] == one["cfi"] and two["tli"] == one["tli"]


def test_rmsea_interval_level_and_old_argument_name():
    lo90, hi90 = rmsea_interval(85.306, 24, 301)
    lo95, hi95 = rmsea_interval(85.306, 24, 301, ci=0.95)
    assert lo95 < lo90 < hi90 < hi95
    with pytest.warns(FutureWarning, match="'level' is now called 'ci'"):
        assert rmsea_interval(85.306, 24, 301, level=0.95) == (lo95, hi95)
