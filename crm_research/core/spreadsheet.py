"""Spreadsheet safety: text that Excel or LibreOffice would run as a formula is written as text.

A CSV table meant for Excel is a program's input as much as a document: a cell that starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some spreadsheet
programs skip before looking at the next character) is evaluated as a formula when the file
is opened.  A questionnaire answer or an SPSS value label such as ``=HYPERLINK(...)`` or
``+cmd|' /C calc'!A0`` would then open links or run commands on the reader's machine
(CSV or formula injection).  Following the OWASP advice, such text cells get a leading
apostrophe, which spreadsheet programs show as plain text.  Numbers stay numbers: numeric
columns are not touched, and text that is just a number (``-0.25``, ``+3``, ``-12%``) is left
as it is, since a spreadsheet reads it as that number and nothing else.

References
----------
OWASP Foundation (2024). *CSV Injection*. https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["neutralise_formulas", "safe_cell"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# a plain number written as text (also a lone sign or dash used as a placeholder)
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d[\d,]*)?(\.\d+)?([eE][+-]?\d+)?%?$")


def safe_cell(value):
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula.

    Examples
    --------
    >>> safe_cell("=1+2"), safe_cell("-0.25"), safe_cell(-0.25), safe_cell("agree")
    ("'=1+2", '-0.25', -0.25, 'agree')
    """
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralise_formulas(data: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``data`` whose text cells and column names cannot run as spreadsheet formulas.

    Parameters
    ----------
    data : pandas.DataFrame
        Not modified.

    Returns
    -------
    pandas.DataFrame
        Text cells (and column names) that start with ``=``, ``+``, ``-``, ``@``, a tab or
        a carriage return, and are not a plain number, get a leading apostrophe; all
        other cells, numeric columns included, are unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"label": ["=HYPERLINK(\\"http://x\\")", "agree"], "est": [-0.5, 0.25]})
    >>> neutralise_formulas(frame)
                          label   est
    0  '=HYPERLINK("http://x")  -0.50
    1                     agree  0.25
    """
    out = data.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or pd.api.types.is_string_dtype(column) or isinstance(
                column.dtype, pd.CategoricalDtype):
            out.isetitem(i, column.astype(object).map(safe_cell))
    out.columns = [safe_cell(c) for c in out.columns]
    return out
