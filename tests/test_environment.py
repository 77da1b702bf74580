"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""

import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = {d for d in pip_section if d != "-e ."}
    assert listed == wanted, (
        "environment.yml and pyproject.toml have drifted; run `python tools/sync_environment.py`. "
        f"Only in pyproject: {sorted(wanted - listed)}; only in environment.yml: {sorted(listed - wanted)}"
    )
    assert any(str(d).startswith("python>=3.11") for d in env["dependencies"])
    assert project["requires-python"] == ">=3.11"
    assert sys.version_info >= (3, 11)
