"""Result objects: what every fitted analysis returns.

Modelled on statsmodels' results classes: tidy pandas tables as attributes, a
``summary()`` that renders as plain text, HTML (shown automatically in a
notebook) and LaTeX, ``to_frame()`` for the main table and ``plot(ax=None)``.

Results are *declared*: a subclass is a ``@dataclass(repr=False, eq=False)``
whose fields are everything later calls need (the tables, the column mapping,
the time unit, the rule used), so nothing is hidden in ``DataFrame.attrs`` and
no ``__init__`` copies arguments by hand.  A subclass lists its tables in
``_summary_tables`` and its main table in ``to_frame``; warnings collected
during fitting go in the keyword-only field ``warnings`` (or are appended in
``__post_init__``) and are printed at the bottom of every summary, so they
cannot be missed.

Example of a declared result::

    @dataclass(repr=False, eq=False)
    class DuplicateResult(Result):
        title: ClassVar[str] = "IDIC Identify: duplicate customer records"
        pairs: pd.DataFrame
        entities: pd.DataFrame
        id_col: str

``repr=False`` keeps :meth:`Result.__repr__` (the text summary) and ``eq=False``
keeps results hashable by identity (comparing DataFrames with ``==`` is not a
truth value).

A function whose answer is one table returns a :class:`DeclaredTable`: a
DataFrame that states how it was made (the respondents used, the analysis
date) in declared attributes rather than in ``DataFrame.attrs``.
"""

from __future__ import annotations

import html
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import pandas as pd

__all__ = ["Result", "Summary", "DeclaredTable"]


@dataclass
class Summary:
    """A titled set of tables and notes that renders as text, HTML or LaTeX."""

    title: str
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    float_format: str = "{:.3f}"

    def _fmt(self, value) -> str:
        if isinstance(value, float):
            return "" if pd.isna(value) else self.float_format.format(value)
        return str(value)

    def _formatted(self, table: pd.DataFrame) -> pd.DataFrame:
        if isinstance(table, pd.Series):
            table = table.to_frame()
        return table.map(self._fmt) if len(table.columns) else table

    def as_text(self) -> str:
        width = 78
        lines = [self.title.center(width), "=" * width]
        for caption, table in self.tables:
            if caption:
                lines += [caption, "-" * min(width, max(len(caption), 10))]
            lines += [self._formatted(table).to_string(), ""]
        for note in self.notes:
            lines.append(f"Note: {note}")
        return "\n".join(lines).rstrip() + "\n"

    def as_html(self) -> str:
        parts = [f"<div class='crm-summary'><h4>{html.escape(self.title)}</h4>"]
        for caption, table in self.tables:
            if caption:
                parts.append(f"<p><b>{html.escape(caption)}</b></p>")
            parts.append(self._formatted(table).to_html(escape=True, border=0))
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        parts.append("</div>")
        return "\n".join(parts)

    def as_latex(self) -> str:
        parts = [f"% {self.title}"]
        for caption, table in self.tables:
            formatted = self._formatted(table)
            parts.append(formatted.to_latex(caption=caption or None, escape=True))
        for note in self.notes:
            parts.append(f"% Note: {note}")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.as_text()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return self.as_html()


@dataclass(repr=False, eq=False)
class Result(ABC):
    """Base class of every result object.

    Subclasses are dataclasses (see the module docstring), must define
    :meth:`to_frame` and :meth:`plot` (Python refuses to create a subclass
    instance without them) and usually override :meth:`_summary_tables` (a list
    of ``(caption, DataFrame)``).
    """

    title: ClassVar[str] = "Result"
    warnings: list[str] = field(default_factory=list, kw_only=True)

    def _summary_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("", self.to_frame())]

    def _summary_notes(self) -> list[str]:
        return list(getattr(self, "warnings", []))

    def summary(self) -> Summary:
        """Tables and warnings of this result, as text (print), HTML or LaTeX."""
        return Summary(self.title, self._summary_tables(), self._summary_notes())

    @abstractmethod
    def to_frame(self) -> pd.DataFrame:
        """The main table of this result as a tidy DataFrame."""

    @abstractmethod
    def plot(self, ax=None):
        """Draw the result; returns the matplotlib Axes (or Figure for multi-panel plots)."""

    def __repr__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


class DeclaredTable(pd.DataFrame):
    """A table that states how it was made, in declared attributes.

    It is a :class:`pandas.DataFrame` (index, columns and every DataFrame method as
    usual) with declared attributes: each subclass lists them in ``_metadata``
    and gives each a class-level default.  pandas carries them through row
    selections, copies and added columns, so ``table[table["frequency"] > 0]``
    still knows its analysis date or its sample size.  Build one with :meth:`of`.

    Examples
    --------
    >>> class Visits(DeclaredTable):
    ...     _metadata = ["analysis_date"]
    ...     analysis_date = None
    >>> t = Visits.of(pd.DataFrame({"visits": [3, 1]}, index=["a", "b"]), analysis_date=pd.Timestamp("2024-01-31"))
    >>> t[t["visits"] > 1].analysis_date
    Timestamp('2024-01-31 00:00:00')
    """

    _metadata: ClassVar[list[str]] = []

    @property
    def _constructor(self):
        return type(self)

    @classmethod
    def of(cls, frame: pd.DataFrame, **fields: Any) -> Self:
        """The table ``frame`` with its declared attributes set (every one must be given)."""
        declared = set(cls._metadata)
        if set(fields) != declared:
            raise TypeError(f"{cls.__name__}.of() needs exactly the fields {sorted(declared)}; got {sorted(fields)}")
        out = cls(frame)
        for key, value in fields.items():
            setattr(out, key, value)
        return out
