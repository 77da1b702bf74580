"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""

import importlib.util
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _sync_tool():
    spec = importlib.util.spec_from_file_location("sync_environment", ROOT / "tools" / "sync_environment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    # runtime, the notebook extras (semopy for notebook 08, JupyterLab) and the test tools;
    # "crm_research[notebooks]" inside test is the package itself, not something conda installs
    wanted = set(project["dependencies"]) | {
        d for extra in extras.values() for d in extra if not d.lower().startswith("crm_research[")
    }
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = {d for d in pip_section if d != "-e ."}
    assert listed == wanted, (
        "environment.yml and pyproject.toml have drifted; run `python tools/sync_environment.py`. "
        f"Only in pyproject: {sorted(wanted - listed)}; only in environment.yml: {sorted(listed - wanted)}"
    )
    assert (ROOT / "environment.yml").read_text(encoding="utf-8") == _sync_tool().render()
    assert any(str(d).startswith("python>=3.11") for d in env["dependencies"])
    assert project["requires-python"] == ">=3.11"
    assert sys.version_info >= (3, 11)


def test_semopy_is_in_the_conda_environment_but_not_a_runtime_dependency():
    # semopy is a teaching contrast in notebook 08 (where it stops early and lavaan does not),
    # never an engine of the package
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(d.startswith("semopy") for d in project["dependencies"])
    assert any(d.startswith("semopy") for d in project["optional-dependencies"]["notebooks"])
    assert "semopy" in (ROOT / "environment.yml").read_text(encoding="utf-8")
