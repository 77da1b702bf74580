"""Property-based tests (Hypothesis) of the validation layer, the study reader and the safety helpers.

Each property is a promise of issue 16: bad input gives a CRMInputError and nothing else, never a
silently changed number; good input is read exactly; nothing the caller passed is modified.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import crm_research as crm
from crm_research import validation as v
from crm_research.core.errors import CRMInputError
from crm_research.core.persian import normalize_digits
from crm_research.core.spreadsheet import _PLAIN_NUMBER, neutralise_formulas, safe_cell
from crm_research.data.datasets import dataset_path
from crm_research.data.study import load_study, read_study_data

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                     st.binary(max_size=4), st.lists(st.integers(), max_size=2), st.just(pd.NA), st.just(np.inf))


# -- validation layer ------------------------------------------------------------------------------------


@SETTINGS
@given(st.lists(finite, min_size=2, max_size=30))
def test_numbers_as_text_or_persian_digits_read_as_the_same_numbers(values):
    frame = pd.DataFrame({"x": values, "t": [repr(x) for x in values],
                          "p": [repr(x).translate(PERSIAN) for x in values]})
    before = frame.copy()
    out = v.check_numeric_columns(frame, ["x", "t", "p"])
    np.testing.assert_array_equal(out["x"].to_numpy(), np.array(values, dtype=float))
    np.testing.assert_array_equal(out["t"].to_numpy(), out["x"].to_numpy())
    np.testing.assert_array_equal(out["p"].to_numpy(), out["x"].to_numpy())
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched


@SETTINGS
@given(st.lists(finite, min_size=1, max_size=20), st.integers(min_value=0, max_value=19),
       st.sampled_from([np.inf, -np.inf, "inf", "-Infinity"]))
def test_an_infinite_value_is_never_dropped_silently(values, where, bad):
    values = list(values)
    values[where % len(values)] = bad
    with pytest.raises(CRMInputError, match="infinite"):
        v.check_numeric_columns(pd.DataFrame({"x": values}, dtype=object), ["x"])


@SETTINGS
@given(st.lists(st.one_of(finite, st.text(max_size=6), st.none()), min_size=1, max_size=15),
       st.booleans(), st.booleans())
def test_any_column_gives_floats_or_a_crm_error(cells, allow_missing, allow_constant):
    frame = pd.DataFrame({"x": pd.Series(cells, dtype=object)})
    try:
        out = v.check_numeric_columns(frame, ["x"], allow_missing=allow_missing, allow_constant=allow_constant)
    except CRMInputError:
        return
    assert out["x"].dtype == float and not np.isinf(out["x"]).any()
    assert out["x"].notna().any()
    if not allow_constant:
        assert out["x"].nunique() >= 2


@SETTINGS
@given(anything, st.one_of(st.none(), st.integers(-5, 5)), st.one_of(st.none(), st.integers(5, 10)))
def test_check_int_and_check_number_raise_only_crm_errors(value, low, high):
    for check in (v.check_int, v.check_number):
        try:
            out = check(value, "k", "f", low, high)
        except CRMInputError as exc:
            assert "'k' parameter of f" in str(exc)
            continue
        assert (low is None or out >= low) and (high is None or out <= high)
        assert math.isfinite(out) or check is v.check_number


@SETTINGS
@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=6, unique=True),
       st.lists(st.text(max_size=8), max_size=4))
def test_check_columns_returns_the_names_or_names_the_parameter(present, asked):
    frame = pd.DataFrame({c: [1] for c in present})
    try:
        out = v.check_columns(frame, asked, name="items", func="f", params=[f"p{i}" for i in range(len(asked))])
    except CRMInputError as exc:
        assert "parameter of f" in str(exc)
        return
    assert out == asked and set(out) <= set(present)


@SETTINGS
@given(anything)
def test_normalize_digits_takes_text_or_gives_a_crm_error(value):
    if isinstance(value, str):
        assert normalize_digits(value.translate(PERSIAN)) == normalize_digits(value)
    else:
        with pytest.raises(CRMInputError):
            normalize_digits(value)


# -- spreadsheet and privacy helpers ---------------------------------------------------------------------


@SETTINGS
@given(st.lists(st.one_of(st.text(max_size=10), finite), min_size=1, max_size=10))
def test_no_cell_written_for_a_spreadsheet_starts_a_formula(cells):
    frame = pd.DataFrame({"c": pd.Series(cells, dtype=object)})
    out = neutralise_formulas(frame)
    for before, after in zip(cells, out["c"]):
        if isinstance(before, str):
            if after != before:
                assert after == "'" + before and before[:1] in "=+-@\t\r"
            elif before[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert _PLAIN_NUMBER.match(before)  # left as it is only when it is a plain number
        else:
            assert after == before  # numbers stay numbers
    assert safe_cell(safe_cell("=1")) == "'=1"


@SETTINGS
@given(st.integers(min_value=0, max_value=10**9 - 1), st.sampled_from(["0{}", "+98{}", "0098{}", "98{}"]),
       st.sampled_from(["", " ", "-"]), st.booleans())
def test_one_mobile_number_in_any_spelling_is_one_pseudonym(number, prefix, sep, persian):
    digits = "9" + f"{number:09d}"
    spelled = prefix.format(sep.join([digits[:3], digits[3:6], digits[6:]]))
    if persian:
        spelled = spelled.translate(PERSIAN)
    frame = pd.DataFrame({"phone": [spelled, "0" + digits]})
    out = crm.pseudonymise(frame, "phone", salt="property-test-key-0123")
    assert out["phone"].nunique() == 1


# -- study reader ----------------------------------------------------------------------------------------

BASE = (f"title: t\ndata:\n  file: {dataset_path('ecrm_survey.sav')}\nscale: [1, 5]\n"
        f"model: {dataset_path('ecrm_survey_model.lav')}\nhypotheses:\n  H1: SAT ~ OPR\n")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_as_a_study_file_is_read_or_refused_with_a_crm_error(tmp_path, text):
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_study(path, check_data=False)
    except CRMInputError:
        pass


yaml_scalar = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                        st.booleans(), st.text(alphabet="abcxyz019 -_", max_size=8), st.none())


@SETTINGS
@given(st.sampled_from(["scale", "language", "estimator", "bootstrap", "missing", "reverse_items", "demographics",
                        "output", "title"]),
       st.one_of(yaml_scalar, st.lists(yaml_scalar, max_size=3), st.dictionaries(st.sampled_from(["a", "codes",
                 "seed", "resamples", "policy"]), yaml_scalar, max_size=2)))
def test_any_value_of_a_known_key_is_read_or_named_in_the_error(tmp_path, key, value):
    import yaml

    doc = yaml.safe_load(BASE)
    doc[key] = value
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        load_study(path, check_data=False)
    except CRMInputError as exc:
        assert "study.yaml" in str(exc)


@SETTINGS
@given(st.integers(min_value=2, max_value=12), st.integers(min_value=1, max_value=12))
def test_nested_aliases_never_expand_past_the_bound(tmp_path, width, depth):
    lines = ['a0: &a0 ["x", "y"]']
    for i in range(1, depth + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    path = tmp_path / "study.yaml"
    path.write_text("\n".join(lines) + "\n" + BASE, encoding="utf-8")
    expanded = 2 * width ** depth
    try:
        load_study(path, check_data=False)
    except CRMInputError as exc:
        assert expanded > 1000 or "unknown key" in str(exc)  # the a0.. keys are not study keys
    else:  # pragma: no cover - a0 is never a valid key
        raise AssertionError


@SETTINGS
@given(st.lists(st.lists(st.one_of(st.integers(0, 9).map(str), st.sampled_from(["", "۳", "x", "3,5", "99"])),
                         min_size=3, max_size=3), min_size=0, max_size=8),
       st.lists(st.sampled_from(["SAT1", "SAT2", "SAT3", "OPR1", "a;b"]), min_size=3, max_size=3))
def test_any_small_csv_is_read_or_refused_with_a_crm_error(tmp_path, rows, header):
    path = tmp_path / "answers.csv"
    path.write_text("\n".join([",".join(header)] + [",".join(r) for r in rows]) + "\n", encoding="utf-8")
    study_path = tmp_path / "study.yaml"
    model = "SAT =~ SAT1 + SAT2 + SAT3"
    study_path.write_text(f"data:\n  file: {path}\nscale: [1, 5]\nmodel: '{model}'\nhypotheses:\n"
                          "  H1: SAT =~ SAT1\n", encoding="utf-8")
    try:
        data = read_study_data(load_study(study_path))
    except CRMInputError:
        return
    assume(len(data.items))
    assert list(data.items.columns) == ["SAT1", "SAT2", "SAT3"] and len(header) == len(set(header))
    assert data.items.stack().between(1, 5).all()
