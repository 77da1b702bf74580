"""Alpha, item analysis, omega, CR and AVE against psych / lavaan / semTools.

Reference values: tests/reference/psychometrics.R (psych 2.2.9, lavaan 0.6-14,
semTools 0.5-6), on psychTools' bfi (reverse-keyed items recoded 7 - x) and on
ecrm_survey (SAT3r, LOY4r recoded 6 - x), complete cases.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm

REF = Path(__file__).parent / "reference" / "psychometrics"
BFI = {c: [f"{c}{i}" for i in range(1, 6)] for c in "ACENO"}
ECRM = {
    "OPR": [f"OPR{i}" for i in range(1, 5)],
    "ANL": [f"ANL{i}" for i in range(1, 5)],
    "EMP": [f"EMP{i}" for i in range(1, 4)],
    "SAT": [f"SAT{i}" for i in range(1, 5)],
    "LOY": [f"LOY{i}" for i in range(1, 5)],
    "DEL": [f"DEL{i}" for i in range(1, 4)],
}
TOL = 1e-3  # the issue's contract; measured agreement is far closer (see the asserts' atol)


def ref(name):
    return pd.read_csv(REF / name)


def dataset(name, bfi, ecrm):
    return (bfi, BFI) if name == "bfi" else (ecrm, ECRM)


def complete(data, constructs):
    items = [i for its in constructs.values() for i in its]
    return data[items].dropna()


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
def test_alpha_matches_psych_alpha(name, bfi, ecrm):
    data, constructs = dataset(name, bfi, ecrm)
    x = complete(data, constructs)  # the reference uses the rows complete on all items
    expected = ref(f"{name}_alpha.csv").set_index("construct")
    for construct, items in constructs.items():
        result = crm.cronbach_alpha(x[items])
        e = expected.loc[construct]
        # psych::alpha raw_alpha / std.alpha / average_r; psych::alpha.ci (Feldt)
        for field in ["alpha", "std_alpha", "ci_low", "ci_high", "average_r"]:
            assert getattr(result, field) == pytest.approx(e[field], abs=1e-10), (construct, field)
        assert (result.n, result.n_items, result.n_dropped) == (e["n"], e["n_items"], 0)


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
def test_item_analysis_matches_psych_item_stats(name, bfi, ecrm):
    data, constructs = dataset(name, bfi, ecrm)
    x = complete(data, constructs)
    expected = ref(f"{name}_items.csv").set_index("item")
    for items in constructs.values():
        table = crm.item_analysis(x[items])
        e = expected.loc[items]
        # psych::alpha: item.stats$mean, sd, raw.r, r.drop; alpha.drop$raw_alpha, std.alpha
        for ours, theirs in [("mean", "mean"), ("sd", "sd"), ("raw_r", "raw_r"), ("r_drop", "r_drop"),
                             ("alpha_if_deleted", "alpha_if_deleted"),
                             ("std_alpha_if_deleted", "std_alpha_if_deleted")]:
            np.testing.assert_allclose(table[ours].to_numpy(), e[theirs].to_numpy(), atol=1e-10, err_msg=ours)


def test_alpha_listwise_reports_dropped_rows_and_pairwise_matches_psych_default(bfi):
    expected = ref("bfi_pairwise_alpha.csv").set_index("construct")
    for construct, items in BFI.items():
        listwise = crm.cronbach_alpha(bfi[items])
        assert listwise.n_dropped == bfi[items].isna().any(axis=1).sum() > 0
        assert listwise.n + listwise.n_dropped == len(bfi)
        assert "dropped" in str(listwise.summary())
        # psych::alpha's own default: pairwise covariances on all rows
        pairwise = crm.cronbach_alpha(bfi[items], missing="pairwise")
        assert pairwise.alpha == pytest.approx(expected.loc[construct, "alpha"], abs=1e-10)
        assert pairwise.std_alpha == pytest.approx(expected.loc[construct, "std_alpha"], abs=1e-10)


def test_alpha_result_interface(bfi):
    result = crm.cronbach_alpha(bfi[BFI["N"]].dropna(), ci=0.90)
    wider = crm.cronbach_alpha(bfi[BFI["N"]].dropna(), ci=0.99)
    assert wider.ci_low < result.ci_low < result.alpha < result.ci_high < wider.ci_high
    frame = result.to_frame()
    assert list(frame.columns[:4]) == ["alpha", "std_alpha", "ci_low", "ci_high"]
    assert "<table" in result.summary().as_html()
    assert list(result.items.index) == BFI["N"]
    import matplotlib

    matplotlib.use("Agg")
    ax = result.plot()
    assert len(ax.patches) == 5


def test_alpha_warns_about_unreversed_items():
    bfi = crm.load_dataset("bfi")  # A1 left as answered: it correlates negatively with A2-A5
    result = crm.cronbach_alpha(bfi[BFI["A"]])
    assert result.items.loc["A1", "r_drop"] < 0
    assert any("A1" in w for w in result.warnings)


@pytest.mark.parametrize(
    "frame, match",
    [
        (pd.DataFrame({"q1": [1, 2, 3, 4]}), r"at least two item columns"),
        (pd.DataFrame({"q1": [1, 2, 3, 4], "q2": ["agree", "3", "2", "1"]}), r"'q2'.*numeric.*'agree'"),
        (pd.DataFrame({"q1": [1, 2, 3, 4], "q2": [3, 3, 3, 3]}), r"'q2'.*constant"),
        (pd.DataFrame({"q1": [1, 2, 3, 4], "q2": [None] * 4}), r"'q2'.*entirely missing"),
    ],
)
def test_alpha_and_item_analysis_bad_input(frame, match):
    with pytest.raises(crm.CRMInputError, match=match):
        crm.cronbach_alpha(frame)
    with pytest.raises(crm.CRMInputError, match=match):
        crm.item_analysis(frame)


def test_alpha_bad_parameters():
    frame = pd.DataFrame({"q1": [1, 2, 3, 4], "q2": [2, 2, 3, 5]})
    with pytest.raises(crm.CRMInputError, match="'ci'"):
        crm.cronbach_alpha(frame, ci=95)
    with pytest.raises(crm.CRMInputError, match="'missing'"):
        crm.cronbach_alpha(frame, missing="mean")
    with pytest.raises(crm.CRMInputError, match="'data'.*DataFrame"):
        crm.cronbach_alpha([[1, 2], [3, 4]])


def test_alpha_reads_persian_digits_and_does_not_mutate():
    frame = pd.DataFrame({"q1": ["۱", "۲", "۳", "۴", "۵"], "q2": ["1", "3", "2", "5", "4"], "q3": [2, 2, 3, 4, 5]})
    before = frame.copy()
    as_numbers = frame.apply(lambda s: s.map(crm.normalize_digits) if s.dtype != "int64" else s).astype(float)
    assert crm.cronbach_alpha(frame).alpha == pytest.approx(crm.cronbach_alpha(as_numbers).alpha)
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
def test_construct_reliability_matches_lavaan_and_semtools(name, bfi, ecrm):
    data, constructs = dataset(name, bfi, ecrm)
    table = crm.construct_reliability(data, constructs)
    expected = ref(f"{name}_construct_reliability.csv").set_index("construct")
    alpha = ref(f"{name}_alpha.csv").set_index("construct")
    # cr / ave from lavaan's standardizedSolution; omega = semTools::compRelSEM
    for col in ["omega", "cr", "ave"]:
        np.testing.assert_allclose(table[col].to_numpy(), expected.loc[list(constructs), col].to_numpy(),
                                   atol=TOL, err_msg=col)
        # measured: agreement to about 1e-5 (the ML optimum is found to that precision)
        np.testing.assert_allclose(table[col].to_numpy(), expected.loc[list(constructs), col].to_numpy(),
                                   atol=5e-5, err_msg=col)
    np.testing.assert_allclose(table["alpha"].to_numpy(), alpha.loc[list(constructs), "alpha"].to_numpy(), atol=1e-10)
    assert table["n_items"].tolist() == [len(v) for v in constructs.values()]
    n = ref(f"{name}_n.csv").iloc[0]
    assert table.n == n["n_complete"] and table.n_dropped == n["n_total"] - n["n_complete"] and not table.attrs
    assert (table["ave_ok"] == (table["ave"] >= 0.5)).all()


def test_construct_reliability_bad_constructs(ecrm):
    with pytest.raises(crm.CRMInputError, match="'SAT9'"):
        crm.construct_reliability(ecrm, {"SAT": ["SAT1", "SAT2", "SAT9"], "LOY": ECRM["LOY"]})
    with pytest.raises(crm.CRMInputError, match="'SAT1'.*both"):
        crm.construct_reliability(ecrm, {"SAT": ECRM["SAT"], "LOY": ["SAT1", "LOY1", "LOY2"]})
    with pytest.raises(crm.CRMInputError, match="'LOY'.*1 item"):
        crm.construct_reliability(ecrm, {"SAT": ECRM["SAT"], "LOY": ["LOY1"]})


def test_construct_reliability_refuses_a_non_converged_cfa():
    # two uncorrelated pairs of random items on 40 rows: the two-indicator factors are
    # empirically under-identified and crm.cfa stops without converging
    frame = pd.DataFrame(np.random.default_rng(5).normal(size=(40, 4)), columns=["a1", "a2", "b1", "b2"])
    with pytest.raises(crm.CRMInputError, match="did not converge"):
        crm.construct_reliability(frame, {"A": ["a1", "a2"], "B": ["b1", "b2"]})
    with pytest.raises(crm.CRMInputError, match="did not converge"):
        crm.fornell_larcker(frame, {"A": ["a1", "a2"], "B": ["b1", "b2"]})


def test_no_numbers_from_a_non_converged_cfa(monkeypatch, ecrm):
    import importlib

    # the package, not the function crm.sem (``import crm_research.sem as sem`` can give either)
    sem = importlib.import_module("crm_research.sem")
    real = sem.cfa

    def not_converged(*args, **kwargs):
        fit = real(*args, **kwargs)
        fit.converged = False
        return fit

    monkeypatch.setattr(sem, "cfa", not_converged)
    with pytest.raises(crm.CRMInputError, match="did not converge"):
        crm.construct_reliability(ecrm, {"SAT": ECRM["SAT"], "LOY": ECRM["LOY"]})


def test_construct_reliability_singular_data_is_a_clear_error():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(30, 1))
    frame = pd.DataFrame(np.hstack([base, base, rng.normal(size=(30, 2))]), columns=["a1", "a2", "b1", "b2"])
    with pytest.raises(crm.CRMInputError, match="a1"):
        crm.construct_reliability(frame, {"A": ["a1", "a2"], "B": ["b1", "b2"]})


def test_values_outside_the_declared_scale_are_reported(ecrm):
    data = ecrm.copy()
    data.loc[data.index[5], "SAT2"] = 55.0  # a typing error
    with pytest.raises(crm.CRMInputError, match=r"'SAT2'.*outside the declared scale \[1, 5\].*55"):
        crm.cronbach_alpha(data[ECRM["SAT"]], scale=(1, 5))
    with pytest.raises(crm.CRMInputError, match=r"'SAT2'.*outside"):
        crm.item_analysis(data[ECRM["SAT"]], scale=(1, 5))
    with pytest.raises(crm.CRMInputError, match=r"'SAT2'.*outside"):
        crm.construct_reliability(data, {"SAT": ECRM["SAT"], "LOY": ECRM["LOY"]}, scale=(1, 5))
    with pytest.raises(crm.CRMInputError, match=r"'SAT2'.*outside"):
        crm.htmt(data, {"SAT": ECRM["SAT"], "LOY": ECRM["LOY"]}, scale=(1, 5))
    with pytest.raises(crm.CRMInputError, match=r"'SAT2'.*outside"):
        crm.efa(data, n_factors=1, items=ECRM["SAT"], scale=(1, 5), n_iter=2)


def test_csv_with_persian_and_arabic_indic_digits_is_read_not_rejected(tmp_path):
    import io

    # the same answers written with Western, Persian (۰-۹) and Arabic-Indic (٠-٩) digits
    western = "q1,q2,q3\n1,2,2\n2,2,3\n4,5,4\n5,4,5\n3,3,2\n2,1,1\n"
    trans = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    lines = western.splitlines()
    mixed = "\n".join([lines[0]] + [ln.translate(trans) if i % 2 else ln.translate(arabic)
                                     for i, ln in enumerate(lines[1:])]) + "\n"
    path = tmp_path / "answers.csv"
    path.write_text(mixed, encoding="utf-8")
    from_file = pd.read_csv(path)
    assert from_file["q1"].dtype != float  # pandas reads the Persian digits as text
    expected = crm.cronbach_alpha(pd.read_csv(io.StringIO(western)))
    assert crm.cronbach_alpha(from_file, scale=(1, 5)).alpha == pytest.approx(expected.alpha, abs=1e-12)
    pd.testing.assert_frame_equal(crm.item_analysis(from_file), crm.item_analysis(pd.read_csv(io.StringIO(western))))


def test_construct_reliability_accepts_any_construct_name(bfi):
    # a construct named like one of the item columns, or with a space or hyphen, is only a label
    plain = crm.construct_reliability(bfi, {"A": ["A1", "A2", "A3", "A4", "A5"], "C": ["C1", "C2", "C3"]})
    odd = crm.construct_reliability(bfi, {"A 1": ["A1", "A2", "A3", "A4", "A5"], "Con-sci ous": ["C1", "C2", "C3"]})
    assert list(odd.index) == ["A 1", "Con-sci ous"]
    np.testing.assert_allclose(odd.drop(columns=["cr_ok", "ave_ok"]).to_numpy(float),
                               plain.drop(columns=["cr_ok", "ave_ok"]).to_numpy(float), atol=1e-12)
    # a construct named exactly like an item would make its loadings ambiguous: a clear error
    with pytest.raises(crm.CRMInputError, match="Construct 'A1'.*name of an item column"):
        crm.construct_reliability(bfi, {"A1": ["A1", "A2", "A3", "A4", "A5"], "C": ["C1", "C2", "C3"]})


def test_alpha_pairwise_drop_warning_does_not_say_listwise():
    data = pd.DataFrame({"a": [1, 2, 3, np.nan, 5, 2, 4], "b": [2, np.nan, 4, np.nan, 5, 3, 4],
                         "c": [1, 3, 3, np.nan, 4, 2, 5]})
    result = crm.cronbach_alpha(data, missing="pairwise")
    assert result.n_dropped == 1
    assert result.warnings and not any("listwise" in w for w in result.warnings)


def test_repeated_column_is_blamed_on_the_data_argument():
    data = pd.DataFrame([[1, 2, 3], [2, 3, 3], [4, 4, 5], [5, 4, 4]], columns=["a", "b", "a"])
    for f in (crm.cronbach_alpha, crm.item_analysis):
        with pytest.raises(crm.CRMInputError, match=r"'data' parameter of \w+ names column 'a'.*several"):
            f(data)


def test_items_select_the_scale_from_data(bfi):
    items = BFI["A"]
    assert crm.cronbach_alpha(bfi, items).alpha == crm.cronbach_alpha(bfi[items]).alpha
    pd.testing.assert_frame_equal(crm.item_analysis(bfi, items), crm.item_analysis(bfi[items]))
    with pytest.raises(crm.CRMInputError, match="'items'.*'nope'"):
        crm.cronbach_alpha(bfi, ["A1", "nope"])
    with pytest.raises(crm.CRMInputError, match="at least two item columns"):
        crm.item_analysis(bfi, ["A1"])


def test_old_items_dataframe_keyword_warns_and_still_works(bfi):
    items = BFI["A"]
    with pytest.warns(FutureWarning, match="'data'"):
        old = crm.cronbach_alpha(items=bfi[items])
    assert old.alpha == crm.cronbach_alpha(bfi, items).alpha
    with pytest.warns(FutureWarning):
        crm.item_analysis(items=bfi[items])


def _heywood_data():
    # item a1 is almost the factor itself and a2, a3 are weak: the 3-item CFA of A, with n = 60,
    # gives a negative residual variance for a1 and a standardized loading of 1.27
    rng = np.random.default_rng(2)
    n = 60
    f = rng.standard_normal(n)
    g = 0.5 * f + rng.standard_normal(n) * 0.87
    return pd.DataFrame({"a1": 0.99 * f + 0.05 * rng.standard_normal(n), "a2": 0.3 * f + rng.standard_normal(n),
                         "a3": 0.3 * f + rng.standard_normal(n), "b1": g + rng.standard_normal(n) * 0.5,
                         "b2": g + rng.standard_normal(n) * 0.5, "b3": g + rng.standard_normal(n) * 0.5})


def test_improper_cfa_solution_is_reported_not_silent():
    # CR/AVE from a Heywood case were returned without any warning (AVE of A even passed)
    import warnings

    constructs = {"Ability": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}
    for f in (crm.construct_reliability, crm.fornell_larcker):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            f(_heywood_data(), constructs)
        texts = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        name = f.__name__
        assert any(t.startswith(f"{name}: Heywood case: the variance of 'a1' is negative") for t in texts), texts
        assert any(t.startswith(f"{name}: The standardized loading of 'a1' on 'Ability' is 1.27") for t in texts)
