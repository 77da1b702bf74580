"""The wheel carries its data: build it from this checkout, install it (not editable) and use it.

A user who runs ``pip install crm_research`` gets no clone and no ``datasets/`` folder beside the
package, only what the wheel holds.  So the test builds the wheel from a copy of the checkout,
installs it into a fresh virtual environment and, from an empty folder with no ``PYTHONPATH`` and no
``CRM_DATASETS``, loads every catalogued dataset and writes the sample study's report.  The installed
package must be the one imported (checked), so the checkout's ``datasets/`` cannot stand in for
missing package data.

Nothing is downloaded: the wheel is built with the test environment's setuptools
(``--no-build-isolation``; the ``test`` extra asks for a recent enough one) and installed with
``--no-deps``; the new environment reaches the test environment's packages (numpy, pandas, ...)
through a ``.pth`` line.  ``venv --system-site-packages`` would not do: made from inside a virtual
environment it links the base interpreter's site-packages, not the test environment's.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent
# what the wheel is built from: the tracked sources, not build products lying in the checkout
SOURCES = ["crm_research", "datasets", "pyproject.toml", "README.md", "LICENSE"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info", ".ipynb_checkpoints")
SETUPTOOLS_FOR_SPDX_LICENCE = (77, 0)


def _pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def test_the_listed_packages_are_the_package_folders():
    # pyproject lists the packages by hand (see the comment there); a sub-package added later
    # must be added to the list, or the wheel would silently lack it
    listed = set(_pyproject()["tool"]["setuptools"]["packages"]) - {"crm_research._bundled"}
    found = set(find_packages(str(ROOT), include=["crm_research", "crm_research.*"]))
    assert listed == found


def test_every_content_file_of_the_package_matches_a_package_data_glob():
    # the wheel test below proves the data arrive; this one names a file that would not, at once
    globs = _pyproject()["tool"]["setuptools"]["package-data"]["crm_research"]
    suffixes = {g.rsplit("*", 1)[-1] for g in globs if g.startswith("**/*")}
    package = ROOT / "crm_research"
    stray = [
        str(p.relative_to(ROOT)) for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".py", ".pyc"}
        and p.suffix not in suffixes and p.name not in globs
    ]
    assert stray == [], "add a glob for these files to [tool.setuptools.package-data] crm_research"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv with the wheel built from this checkout installed in it (not editable)."""
    if _version(importlib.metadata.version("setuptools")) < SETUPTOOLS_FOR_SPDX_LICENCE:
        pytest.fail(
            f"setuptools {importlib.metadata.version('setuptools')} cannot build this project "
            "(project.license is an SPDX string, read from setuptools 77 on). Install the test tools: "
            "pip install -e '.[test]'"
        )
    # no PYTHONPATH (the checkout and its crm_research.egg-info must not be seen) and no CRM_DATASETS
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CRM_DATASETS", "PYTHONHOME")}
    env.update(CRM_FAST="1", MPLBACKEND="Agg", PYTHONNOUSERSITE="1")

    def run(*args, **kwargs):
        return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, env=env,
                              **kwargs)

    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, source / name, ignore=IGNORE)
        else:
            shutil.copy2(src, source / name)
    dist = tmp / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", dist,
        source)
    (wheel,) = dist.glob("crm_research-*.whl")

    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    bindir = "Scripts" if os.name == "nt" else "bin"
    python = venv / bindir / ("python.exe" if os.name == "nt" else "python")
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    # The test environment's installed packages, after the venv's own, so the wheel's crm_research is
    # imported first; .pth files there (an editable crm_research) are not run from this one.
    parents = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()]
    Path(purelib, "_test_environment.pth").write_text("\n".join(dict.fromkeys(parents)) + "\n", encoding="utf-8")
    # pip of the test environment installs into the venv (--python: the venv needs no pip of its own);
    # --ignore-installed, because the test environment's (editable) crm_research is visible from the venv
    # and must neither satisfy the requirement nor be uninstalled
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index",
        "--ignore-installed", wheel)
    workdir = tmp / "empty"
    workdir.mkdir()
    return {"wheel": wheel, "python": python, "script": venv / bindir / "crm-research", "env": env,
            "cwd": workdir, "venv": venv}


def test_the_wheel_holds_the_catalogue_and_leaves_out_the_fetch_scripts(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert "crm_research/_bundled/catalog/sample_company.yaml" in names
    assert "crm_research/_bundled/ecrm_survey_study.yaml" in names
    assert not [n for n in names if "/scripts/" in n or "__pycache__" in n]


def test_every_dataset_loads_from_the_installed_wheel(installed):
    code = """
import json, pathlib
import crm_research as crm
names = list(crm.list_datasets()["name"])
shapes = {}
for name in names:
    data = crm.load_dataset(name)
    shapes[name] = list(data.shape) if hasattr(data, "shape") else len(data.customers)
# package data of the code itself (the questionnaire's wording beside crm_research/data/surveygen.py)
shapes["questionnaire"] = list(crm.ecrm_survey_items().shape)
print(json.dumps({"package": crm.__file__, "root": str(crm.dataset_path()), "shapes": shapes}))
"""
    run = subprocess.run([str(installed["python"]), "-c", code], cwd=installed["cwd"], env=installed["env"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    venv = installed["venv"].resolve()
    # the installed copy was imported and read its own data, not this checkout's
    assert Path(out["package"]).resolve().is_relative_to(venv), out["package"]
    assert Path(out["root"]).resolve().is_relative_to(venv) and Path(out["root"]).name == "_bundled"
    import crm_research as crm

    expected = sorted(crm.list_datasets()["name"])
    assert sorted(out["shapes"]) == sorted([*expected, "questionnaire"])
    assert out["shapes"]["questionnaire"] == [22, 8]
    assert out["shapes"]["holzinger1939"] == [301, 15]
    assert out["shapes"]["sample_company"] == 5000


def test_the_example_report_is_written_from_an_empty_folder(installed):
    out = installed["cwd"] / "report"
    run = subprocess.run([str(installed["script"]), "report", "--example", "--out", "report"],
                         cwd=installed["cwd"], env=installed["env"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert (out / "report.docx").stat().st_size > 10_000
    assert (out / "report.html").stat().st_size > 10_000
    assert "H12" in (out / "report.html").read_text(encoding="utf-8")
    # nothing was written into the installed package
    assert not list((installed["venv"]).rglob("report.docx"))
