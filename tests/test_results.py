from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd
import pytest

from crm_research.core.results import Result, Summary


@dataclass(repr=False, eq=False)
class _Toy(Result):
    title: ClassVar[str] = "Toy result"
    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"est": [0.12345, 1.5]}, index=["a", "b"]))

    def __post_init__(self):
        self.warnings.append("a Heywood case in x3")

    def to_frame(self):
        return self.table.copy()

    def plot(self, ax=None):
        return self.table.plot.bar(ax=ax)


def test_summary_renders_text_html_latex_with_warnings():
    res = _Toy()
    s = res.summary()
    assert isinstance(s, Summary)
    text = str(s)
    assert "Toy result" in text and "0.123" in text and "Note: a Heywood case in x3" in text
    html = res._repr_html_()
    assert "<table" in html and "0.123" in html and "Heywood" in html
    assert "\\begin{tabular}" in s.as_latex()
    assert "Toy result" in repr(res)


def test_to_frame_returns_a_copy():
    res = _Toy()
    frame = res.to_frame()
    frame.loc["a", "est"] = 99
    assert res.table.loc["a", "est"] == 0.12345


def test_a_result_must_define_its_table_and_plot():
    class Incomplete(Result):
        def to_frame(self):
            return pd.DataFrame()

    with pytest.raises(TypeError, match="plot"):
        Incomplete()
