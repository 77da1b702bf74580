"""Fitting a published SEM from its covariance matrix, or its correlations and standard deviations.

Data: Wheaton, Muthén, Alwin & Summers (1977), Sociological Methodology 8, 84-136 — the
"stability of alienation" panel (N = 932) in the form lavaan's tutorial prints it ("Covariance
matrix input"), with the tutorial's model.

Reference values: lavaan 0.6-14 via ``tests/reference/sem_wheaton.R``, stored in
``tests/reference/sem_wheaton/``: parameterEstimates + standardizedSolution's est.std and
fitMeasures, for (a) ``sample.cov`` = the covariance matrix and (b) the matrix rebuilt from its
correlations and standard deviations rounded to three decimals (``cor2cov``), both with
``sample.nobs = 932`` and lavaan's default ``likelihood = "normal"``.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError

REF = Path(__file__).parent / "reference" / "sem_wheaton"
N = 932
MODEL = """
  ses     =~ education + sei
  alien67 =~ anomia67 + powerless67
  alien71 =~ anomia71 + powerless71
  alien71 ~ alien67 + ses
  alien67 ~ ses
  anomia67    ~~ anomia71
  powerless67 ~~ powerless71
"""
VARIABLES = ["anomia67", "powerless67", "anomia71", "powerless71", "education", "sei"]
# The lower triangle exactly as lavaan's tutorial and ?getCov print it.
LOWER = """
 11.834
  6.947   9.364
  6.819   5.091  12.532
  4.783   5.028   7.495   9.986
 -3.839  -3.889  -3.841  -3.625   9.610
-21.899 -18.831 -21.748 -18.775  35.522 450.288
"""
# lavaan name -> crm_research name; the tolerance is absolute.
FIT_KEYS = {"chisq": ("chisq", 1e-3), "df": ("df", 0), "pvalue": ("pvalue", 1e-3), "cfi": ("cfi", 1e-3),
            "tli": ("tli", 1e-3), "rmsea": ("rmsea", 1e-3), "rmsea.ci.lower": ("rmsea_ci_lower", 1e-3),
            "rmsea.ci.upper": ("rmsea_ci_upper", 1e-3), "rmsea.pvalue": ("rmsea_pvalue", 1e-3),
            "srmr": ("srmr", 1e-3), "aic": ("aic", 0.01), "bic": ("bic", 0.01), "logl": ("loglik", 0.01)}


def _full_from_lower(text):
    values = [float(v) for v in text.split()]
    p = len(VARIABLES)
    assert len(values) == p * (p + 1) // 2
    mat = np.zeros((p, p))
    mat[np.tril_indices(p)] = values  # row-wise, as getCov(lower = TRUE) reads it
    mat = mat + np.tril(mat, -1).T
    return pd.DataFrame(mat, index=VARIABLES, columns=VARIABLES)


@pytest.fixture(scope="module")
def wheaton_cov():
    return pd.read_csv(REF / "cov.csv", index_col=0)


@pytest.fixture(scope="module")
def rounded_table():
    cor = pd.read_csv(REF / "cor_rounded.csv", index_col=0)
    sd = pd.read_csv(REF / "sd_rounded.csv").set_index("variable")["sd"]
    return cor, sd


@pytest.fixture(scope="module")
def fit_cov(wheaton_cov):
    return crm.sem(model=MODEL, sample_cov=wheaton_cov, sample_nobs=N)


@pytest.fixture(scope="module")
def fit_cor(rounded_table):
    cor, sd = rounded_table
    return crm.sem(model=MODEL, sample_cor=cor, sample_sd=sd, sample_nobs=N)


def _compare_estimates(res, name, atol=1e-3):
    pe = pd.read_csv(REF / f"{name}_estimates.csv")
    merged = pe.merge(res.estimates, on=["lhs", "op", "rhs"], how="outer", indicator=True, suffixes=("_r", ""))
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", ["lhs", "op", "rhs"]]
    assert len(merged) == 20  # 3 free loadings + 3 fixed markers, 3 paths, 2 residual covariances, 9 variances
    np.testing.assert_allclose(merged["est"], merged["est_r"], atol=atol)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=atol)
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=atol)
    free = merged["se_r"] > 0
    np.testing.assert_allclose(merged.loc[free, "z"], merged.loc[free, "z_r"], atol=1e-2)
    np.testing.assert_allclose(merged.loc[free, "pvalue"], merged.loc[free, "pvalue_r"], atol=atol)
    np.testing.assert_allclose(merged.loc[free, "ci_lower"], merged.loc[free, "ci.lower"], atol=atol)
    np.testing.assert_allclose(merged.loc[free, "ci_upper"], merged.loc[free, "ci.upper"], atol=atol)


def _compare_fit(res, name):
    fm = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    for theirs, (ours, atol) in FIT_KEYS.items():
        assert res.fit_measures[ours] == pytest.approx(fm[theirs], abs=atol), theirs


def test_stored_matrix_is_the_tutorials_lower_triangle(wheaton_cov):
    # The CSV the other tests read is the matrix getCov() built from the printed numbers.
    pd.testing.assert_frame_equal(_full_from_lower(LOWER), wheaton_cov, check_exact=False, atol=1e-12)


def test_from_covariance_matrix_equals_lavaan(fit_cov):
    assert fit_cov.fit_measures["n"] == N
    _compare_estimates(fit_cov, "cov")
    _compare_fit(fit_cov, "cov")
    # summary(fit) in lavaan 0.6-14 prints chi-square 4.735 on 4 df, p = 0.316 (see the R script).
    assert round(fit_cov.fit_measures["chisq"], 3) == 4.735
    assert round(fit_cov.fit_measures["pvalue"], 3) == 0.316


def test_from_rounded_correlations_and_sds_equals_lavaan(fit_cor):
    _compare_estimates(fit_cor, "cor")
    _compare_fit(fit_cor, "cor")


def test_rounded_table_moves_estimates_only_slightly(fit_cov, fit_cor):
    # Printing the correlations and SDs to three decimals loses little: the largest change of a
    # standardized estimate stays below 0.01 (lavaan's two reference fits differ by the same amount).
    ref_cov = pd.read_csv(REF / "cov_estimates.csv")
    ref_cor = pd.read_csv(REF / "cor_estimates.csv")
    lavaan_shift = (ref_cov["std.all"] - ref_cor["std.all"]).abs().max()
    ours_shift = (fit_cov.estimates["std_all"] - fit_cor.estimates["std_all"]).abs().max()
    assert ours_shift < 0.01
    assert ours_shift == pytest.approx(lavaan_shift, abs=1e-4)


def test_correlations_entered_as_covariances_keep_only_the_standardized_solution(rounded_table, fit_cor):
    # The mistake of fitting a correlation matrix as if it were a covariance matrix: ML is scale
    # invariant here, so the standardized solution and chi-square equal lavaan's correlation+SD fit,
    # but the unstandardized estimates and their standard errors do not.
    cor, _ = rounded_table
    wrong = crm.sem(model=MODEL, sample_cov=cor, sample_nobs=N)
    ref = pd.read_csv(REF / "cor_estimates.csv")
    merged = ref.merge(wrong.estimates, on=["lhs", "op", "rhs"], suffixes=("_r", ""))
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=1e-3)
    fm = pd.read_csv(REF / "cor_fit.csv").set_index("measure")["value"]
    assert wrong.fit_measures["chisq"] == pytest.approx(fm["chisq"], abs=1e-3)
    sei = merged.query("lhs == 'ses' and op == '=~' and rhs == 'sei'").iloc[0]
    assert abs(sei["est"] - sei["est_r"]) > 4  # 0.76 instead of lavaan's 5.22


def test_matrix_input_mistakes_are_named(wheaton_cov, rounded_table, fit_cov):
    cor, sd = rounded_table
    with pytest.raises(CRMInputError, match="sample_nobs"):
        crm.sem(model=MODEL, sample_cov=wheaton_cov)
    with pytest.raises(CRMInputError, match="sample_sd"):
        crm.sem(model=MODEL, sample_cor=cor, sample_nobs=N)
    typo = wheaton_cov.copy()
    typo.loc["anomia71", "powerless71"] = typo.loc["powerless71", "anomia71"] = 74.95  # 7.495 mistyped
    with pytest.raises(CRMInputError, match="not positive definite"):
        crm.sem(model=MODEL, sample_cov=typo, sample_nobs=N)
    half = wheaton_cov.copy()
    half.loc["anomia67", "sei"] = 0.0  # only the lower triangle was filled in
    with pytest.raises(CRMInputError, match="not symmetric"):
        crm.sem(model=MODEL, sample_cov=half, sample_nobs=N)
    # fit_cov was fitted on wheaton_cov: the caller's matrix is left as it was read.
    pd.testing.assert_frame_equal(wheaton_cov, pd.read_csv(REF / "cov.csv", index_col=0))
