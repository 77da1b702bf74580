"""The package's public surface: lazy re-exports, the error type, a light import."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import crm_research as crm

PACKAGE = Path(crm.__file__).parent


def test_error_type_is_a_value_error():
    assert issubclass(crm.CRMInputError, ValueError)


@pytest.mark.parametrize("name", sorted(crm._EXPORTS))
def test_every_export_resolves_and_is_in_its_modules_all(name):
    module = importlib.import_module(f"crm_research.{crm._EXPORTS[name]}")
    assert name in module.__all__, f"{name} is exported but missing from {module.__name__}.__all__"
    assert getattr(crm, name) is getattr(module, name)


def _module_all(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return []


def test_public_names_of_topic_modules_are_reexported():
    # modules whose __all__ is re-exported at the top level (validation stays a namespace)
    namespaced = {"core.validation", "notebooks", "cli", "core.errors", "frameworks.models", "core.plotting"}
    missing = []
    for module in sorted(set(crm._EXPORTS.values()) - namespaced):
        path = PACKAGE / f"{module.replace('.', '/')}.py"
        if not path.exists():
            path = PACKAGE / module.replace(".", "/") / "__init__.py"
        missing += [f"{module}.{n}" for n in _module_all(path) if n not in crm._EXPORTS]
    assert not missing, f"public names not re-exported in crm_research._EXPORTS: {missing}"


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_function'"):
        crm.not_a_function  # noqa: B018


def test_import_does_not_load_heavy_libraries():
    # Import time is measured in benchmarks/; here we check the structure that keeps it low.
    code = (
        "import sys, crm_research\n"
        "heavy = [m for m in ('pandas', 'scipy', 'semopy', 'sklearn', 'matplotlib', 'statsmodels') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"import crm_research loads heavy libraries eagerly: {out}"
