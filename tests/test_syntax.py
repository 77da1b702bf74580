

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
