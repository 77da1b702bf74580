import pytest


def test_issue16_persian_names_with_a_zero_width_non_joiner_parse_and_fit():
    import numpy as np
    import pandas as pd

    import crm_research as crm
    from crm_research.core.syntax import parse_model

    items = ["رضایت\u200cمندی1", "رضایت\u200cمندی2", "رضایت\u200cمندی3", "وفاداری۱", "وفاداری۲", "وفاداری۳"]
    model = (f"رضایت =~ {items[0]} + {items[1]} + {items[2]}\n"
             f"وفاداری =~ {items[3]} + {items[4]} + {items[5]}\nوفاداری ~ رضایت")
    parsed = parse_model(model)
    assert [t.name for t in parsed.statements[0].terms] == items[:3]
    rng = np.random.default_rng(1)
    sat = rng.normal(size=300)
    loy = 0.6 * sat + rng.normal(scale=0.8, size=300)
    data = pd.DataFrame({name: (sat if i < 3 else loy) + rng.normal(scale=0.6, size=300)
                         for i, name in enumerate(items)})
    fit = crm.sem(data, model, progress=False)
    assert items[0] in set(fit.estimates["rhs"])


def test_issue16_defined_parameters_use_r_arithmetic_not_python_exceptions():
    import math

    from crm_research.core.syntax import evaluate_definition, parse_model

    model = parse_model("f =~ x1 + a*x2 + b*x3\nd := a/(b-b)\ne := log(a-5)\ng := (a-5)^0.5\nh := a^b^b^b\n"
                        "k := log(a-2)\nm := -a/0\nz := (a-a)/(b-b)\nn := a*b + sqrt(b) - exp(a)")
    got = {d.name: evaluate_definition(d, {"a": 2.0, "b": 30.0}) for d in model.definitions}
    # R: 2/0 = Inf, log(-3) = NaN, (-3)^0.5 = NaN, 2^30^30^30 = Inf, log(0) = -Inf, -2/0 = -Inf, 0/0 = NaN
    assert got["d"] == math.inf and math.isnan(got["e"]) and math.isnan(got["g"]) and got["h"] == math.inf
    assert got["k"] == -math.inf and got["m"] == -math.inf and math.isnan(got["z"])
    assert got["n"] == pytest.approx(60 + math.sqrt(30) - math.exp(2), rel=1e-15)
