"""Write environment.yml from the dependency lists in pyproject.toml.

pyproject.toml is the single source of the dependency set; conda users get the
same set through environment.yml.  tests/test_environment.py fails when the two
drift, and this script brings them back in step:

    python tools/sync_environment.py
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def expected_dependencies() -> list[str]:
    """The runtime dependencies, then every extra's (conda users get the whole teaching set).

    An extra that names the package itself (``crm_research[notebooks]`` inside ``test``) is
    already expanded by listing every extra, so it is left out rather than installed from PyPI.
    """
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    own = re.compile(rf"^{re.escape(project['name'])}\s*\[", re.IGNORECASE)
    out = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        out += [dep for dep in extra if not own.match(dep) and dep not in out]
    return out


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
