"""The bundled datasets: a catalogue, a loader and data dictionaries.

Every dataset is described once, in a YAML file under ``datasets/catalog/`` at the
top of the repository (one file per family of datasets): file, title, description, source and citation, licence, its size
and a data dictionary (column, type, meaning, unit).  :func:`list_datasets`
reads that catalogue; :func:`load_dataset` reads the file it names.

Where the folder is: in a clone of the repository (an editable install, or the
clone on ``PYTHONPATH``) it is the clone's own ``datasets/``; in an installed
wheel the same folder is shipped inside the package as ``crm_research/_bundled``
(``pyproject.toml`` maps one onto the other) and found with
:mod:`importlib.resources`.  :func:`dataset_path` hides the difference.

A dataset is either one table (``file:``) or a group of tables (``tables:``,
e.g. the sample company), loaded as a whole with ``load_dataset("group")`` or
one table at a time with ``load_dataset("group/table")``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.resources
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.validation import closest_names

if TYPE_CHECKING:  # the sample company's module is large; load_dataset imports it only for that dataset
    from crm_research.data.samplecompany import SampleCompany

__all__ = ["list_datasets", "load_dataset", "data_dictionary", "dataset_path"]

_TYPE_TO_DTYPE = {
    "int": "Int64",
    "float": "float64",
    "str": "string",
    "category": "category",
    "bool": "boolean",
}


def _checkout_datasets() -> Path | None:
    """The ``datasets/`` folder of the clone this package was imported from, if it was."""
    root = Path(__file__).resolve().parents[2]
    # pyproject.toml tells a clone from site-packages, whose parent could hold another "datasets"
    if (root / "pyproject.toml").is_file() and (root / "datasets" / "catalog").is_dir():
        return root / "datasets"
    return None


def _bundled_datasets() -> Path | None:
    """The copy of ``datasets/`` that the wheel installs as ``crm_research/_bundled``."""
    # files() of the parent package, not of _bundled: a folder without __init__.py would come back
    # as a namespace package whose files() is not a pathlib.Path
    folder = importlib.resources.files("crm_research") / "_bundled"
    # a wheel is unpacked on disk; the study files and pandas need real paths, so a zipped install
    # (not something pip produces) is reported as missing data rather than half supported
    if isinstance(folder, Path) and (folder / "catalog").is_dir():
        return folder
    return None


@functools.cache
def _datasets_root() -> Path:
    root = _checkout_datasets() or _bundled_datasets()
    if root is None:
        raise CRMInputError(
            "The bundled datasets were not found: neither a datasets/ folder beside the crm_research "
            "package (a clone of the repository) nor crm_research/_bundled (an installed wheel). "
            "Reinstall crm_research, or set CRM_DATASETS to the folder that holds catalog/."
        )
    return root


def dataset_path(*parts: str) -> Path:
    """Path of the bundled ``datasets/`` folder, or of a file inside it.

    In a clone of the repository this is the clone's ``datasets/`` folder; in
    an installed wheel, the copy inside the package (``crm_research/_bundled``).
    Set the environment variable ``CRM_DATASETS`` to use another folder.

    Parameters
    ----------
    *parts : str
        Path components below the folder, e.g. ``"catalog"``, ``"cdnow.yaml"``.

    Returns
    -------
    pathlib.Path
        The path (it is not checked that a file named by ``parts`` exists).

    Raises
    ------
    CRMInputError
        When ``CRM_DATASETS`` names no folder, or no bundled folder is found.

    Examples
    --------
    >>> import crm_research as crm
    >>> crm.dataset_path("ecrm_survey_study.yaml").name
    'ecrm_survey_study.yaml'
    >>> crm.dataset_path("catalog").is_dir()
    True
    """
    root = os.environ.get("CRM_DATASETS")
    if root:
        base = Path(root)
        if not base.is_dir():
            raise CRMInputError(
                f"The environment variable CRM_DATASETS must name a folder that holds catalog/. "
                f"Got {root!r}, which is not a folder."
            )
    else:
        base = _datasets_root()
    return base.joinpath(*parts)


@functools.cache
def _catalog() -> dict:
    import yaml

    catalog: dict = {}
    for path in sorted(dataset_path("catalog").glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            entries = yaml.safe_load(fh) or {}
        for name, entry in entries.items():
            if name in catalog:
                raise RuntimeError(f"dataset {name!r} is described twice in datasets/catalog/")
            catalog[name] = entry
    return catalog


def _entries() -> dict[str, dict]:
    """Flat view: name -> entry, with tables of a group as 'group/table'."""
    flat: dict[str, dict] = {}
    for name, entry in _catalog().items():
        flat[name] = entry
        for table, sub in (entry.get("tables") or {}).items():
            merged = {k: v for k, v in entry.items() if k not in ("tables", "loader")}
            merged.update(sub)
            flat[f"{name}/{table}"] = merged
    return flat


def _entry(name: str, func: str) -> dict:
    entries = _entries()
    if not isinstance(name, str) or name not in entries:
        hint = closest_names(str(name), entries)
        msg = f"The 'name' parameter of {func} must be one of the bundled datasets. Got {name!r} instead."
        if hint:
            msg += f" Did you mean {' or '.join(map(repr, hint))}?"
        msg += f" Valid names: {', '.join(sorted(entries))}."
        raise CRMInputError(msg)
    return entries[name]


def list_datasets() -> pd.DataFrame:
    """The bundled datasets, one row each.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``title``, ``description``, ``source`` (citation and
        where the copy came from), ``licence``, ``rows``, ``columns``.  Tables of
        a group are listed as ``group/table``.
    """
    rows = []
    for name, entry in _entries().items():
        rows.append(
            {
                "name": name,
                "title": entry.get("title", ""),
                "description": " ".join(str(entry.get("description", "")).split()),
                "source": " ".join(str(entry.get("source", "")).split()),
                "licence": entry.get("licence", ""),
                "rows": entry.get("rows"),
                "columns": len(entry["columns"]) if "columns" in entry else None,
            }
        )
    return pd.DataFrame(rows).astype({"rows": "Int64", "columns": "Int64"})


def data_dictionary(name: str) -> pd.DataFrame:
    """The data dictionary of a dataset: ``column``, ``type``, ``meaning``, ``unit``.

    For a group of tables the result has a ``table`` column too.
    """
    entry = _entry(name, "data_dictionary")
    if "tables" in entry:
        parts = [data_dictionary(f"{name}/{t}").assign(table=t) for t in entry["tables"]]
        out = pd.concat(parts, ignore_index=True)
        return out[["table", "column", "type", "meaning", "unit"]]
    rows = [
        {
            "column": col,
            "type": spec.get("type", ""),
            "meaning": spec.get("meaning", ""),
            "unit": spec.get("unit", ""),
        }
        for col, spec in entry.get("columns", {}).items()
    ]
    return pd.DataFrame(rows, columns=["column", "type", "meaning", "unit"])


def _read_table(entry: dict) -> pd.DataFrame:
    path = dataset_path(entry["file"])
    columns = entry.get("columns", {})
    dates = [c for c, spec in columns.items() if spec.get("type") in ("date", "datetime")]
    dtypes = {c: _TYPE_TO_DTYPE[spec["type"]] for c, spec in columns.items() if spec.get("type") in _TYPE_TO_DTYPE}
    suffix = "".join(path.suffixes)
    if suffix.endswith((".csv", ".csv.gz")):
        frame = pd.read_csv(path, dtype=dtypes or None, parse_dates=dates or False)
    elif suffix.endswith(".parquet"):
        frame = pd.read_parquet(path)
    else:
        raise CRMInputError(f"Dataset file {path.name!r} has an unsupported format {suffix!r}.")
    if columns and list(frame.columns) != list(columns):
        raise CRMInputError(
            f"Dataset file {path.name!r} does not match its data dictionary in datasets/catalog/: "
            f"file has {list(frame.columns)}, dictionary lists {list(columns)}."
        )
    return frame


def load_dataset(name: str) -> pd.DataFrame | SampleCompany:
    """Load a bundled dataset.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`, e.g. ``"holzinger1939"``,
        ``"cdnow_transactions"`` or ``"sample_company/transactions"``.

    Returns
    -------
    pandas.DataFrame, or for a group of tables the object its loader returns
    (the sample company comes back as a :class:`~crm_research.data.samplecompany.SampleCompany`).

    Raises
    ------
    CRMInputError
        For an unknown name; the message lists the valid names.

    Examples
    --------
    >>> import crm_research as crm
    >>> hs = crm.load_dataset("holzinger1939")
    >>> hs.shape
    (301, 15)
    """
    entry = _entry(name, "load_dataset")
    if "tables" in entry:
        module_name, _, attr = entry["loader"].partition(":")
        # attr may be dotted (a classmethod such as "SampleCompany.from_tables")
        loader = functools.reduce(getattr, attr.split("."), importlib.import_module(module_name))
        tables = {table: _read_table(_entries()[f"{name}/{table}"]) for table in entry["tables"]}
        return loader(tables)
    return _read_table(entry)
