"""Every table of the chapter as a CSV file.

The CSV files hold the *numbers* behind each table at full precision (not the
rounded, formatted cells of the document), so a reader can recompute or
re-plot anything.  They are UTF-8 with a byte-order mark: without it Excel
opens a UTF-8 file in the system code page and Persian labels come out as
mojibake.
"""

from __future__ import annotations

import re
from pathlib import Path

from crm_research.core.spreadsheet import neutralise_formulas
from crm_research.report.sections import Chapter

__all__ = ["table_file_name", "write_csv_tables"]


def table_file_name(number: int, key: str) -> str:
    """``table_03_item_descriptives.csv``: numbered so the files sort in chapter order."""
    return f"table_{number:02d}_{re.sub(r'[^a-z0-9_]+', '_', key.lower())}.csv"


def write_csv_tables(chapter: Chapter, folder: str | Path) -> list[Path]:
    """Write each table's numbers to ``folder`` (created if needed); return the paths in order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in chapter.tables:
        path = folder / table_file_name(table.number, table.key)
        # lineterminator fixed so the bytes are the same on every platform (determinism check)
        # the tables are meant for Excel: answers and value labels such as "=HYPERLINK(...)" are written as text
        neutralise_formulas(table.data).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
        paths.append(path)
    return paths
