"""Write environment.yml from the dependency lists in pyproject.toml.

pyproject.toml is the single source of the dependency set; conda users get the
same set through environment.yml.  tests/test_environment.py fails when the two
drift, and this script brings them back in step:

    python tools/sync_environment.py
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def expected_dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return list(project["dependencies"]) + list(project["optional-dependencies"]["test"])


def render() -> str:
    lines = [
        "# conda users: conda env create -f environment.yml && conda activate crm_research",
        "# Generated from pyproject.toml by tools/sync_environment.py; do not edit by hand.",
        "name: crm_research",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python>=3.11",
        "  - pip",
        "  - pip:",
    ]
    lines += [f'      - "{dep}"' for dep in expected_dependencies()]
    lines.append('      - "-e ."')
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    (ROOT / "environment.yml").write_text(render(), encoding="utf-8")
    print("wrote environment.yml")
