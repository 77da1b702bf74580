"""Dependencies earn their place: every runtime dependency is used by the package, and every
library the package imports is declared.

The package's imports are read from its source (``ast``), not by importing it, so a dependency
imported only inside a function counts as well.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "crm_research"

# distribution name -> the name it is imported under, where the two differ
IMPORT_NAME = {"python-docx": "docx", "pyyaml": "yaml", "scikit-learn": "sklearn", "pillow": "PIL",
               "ibis-framework": "ibis"}

# Dependencies the package uses without importing them, each with the text in the package that uses it.
USED_WITHOUT_IMPORT = {
    # pandas.read_excel needs it for .xlsx study files
    "openpyxl": ("data/study.py", 'engine="openpyxl"'),
    # nbclient starts this kernel to execute the notebook series (`crm-research notebooks`)
    "ipykernel": ("notebooks.py", 'kernel_name: str = "python3"'),
}


def _project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]


def _distribution(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower()


def _runtime() -> list[str]:
    return [_distribution(r) for r in _project()["dependencies"]]


def _imported_top_level_names() -> dict[str, list[str]]:
    """Top-level module -> package files that import it (absolute imports, any depth in the file)."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], []).append(str(path.relative_to(ROOT)))
    return found


def test_every_runtime_dependency_is_imported_or_its_use_is_named():
    imported = _imported_top_level_names()
    unused = []
    for dist in _runtime():
        module = IMPORT_NAME.get(dist, dist.replace("-", "_"))
        if module in imported:
            continue
        if dist in USED_WITHOUT_IMPORT:
            file, text = USED_WITHOUT_IMPORT[dist]
            assert text in (PACKAGE / file).read_text(encoding="utf-8"), (
                f"{dist} is declared for {text!r} in crm_research/{file}, which is no longer there"
            )
            continue
        unused.append(dist)
    assert unused == [], (
        f"runtime dependencies the package never uses: {unused}. Remove them from pyproject.toml "
        "(or move them to an extra) and run python tools/sync_environment.py"
    )


def test_dependencies_used_without_import_are_not_imported_after_all():
    # an entry here that the package does import belongs to the ordinary case: keep the list honest
    imported = _imported_top_level_names()
    assert set(USED_WITHOUT_IMPORT) <= set(_runtime())
    assert not [d for d in USED_WITHOUT_IMPORT if IMPORT_NAME.get(d, d) in imported]


def test_every_library_the_package_imports_is_declared():
    declared = {IMPORT_NAME.get(d, d.replace("-", "_")) for d in _runtime()}
    third_party = {
        name: files for name, files in _imported_top_level_names().items()
        if name not in sys.stdlib_module_names and name != "crm_research"
    }
    undeclared = {name: files[:3] for name, files in third_party.items() if name not in declared}
    assert undeclared == {}, "imported by the package but not a runtime dependency in pyproject.toml"


def test_the_notebook_only_libraries_are_not_imported_by_the_package():
    # semopy (the contrast in notebook 08) and JupyterLab live in the `notebooks` extra
    extra = [_distribution(r) for r in _project()["optional-dependencies"]["notebooks"]]
    assert {"semopy", "jupyterlab"} <= set(extra)
    imported = _imported_top_level_names()
    assert not [d for d in extra if IMPORT_NAME.get(d, d) in imported]


def test_the_scan_sees_imports_inside_functions():
    # rapidfuzz and python-docx are imported only inside functions (kept out of `import crm_research`)
    imported = _imported_top_level_names()
    assert "crm_research/frameworks/idic.py" in imported["rapidfuzz"]
    assert "crm_research/report/docx_writer.py" in imported["docx"]
