"""Every third-party package the code imports is declared in pyproject.toml: the runtime packages under
``[project] dependencies``, what only tests and benchmarks import under the ``dev`` extra.

Import names are mapped to their distributions through the installed environment
(``importlib.metadata.packages_distributions``), so ``yaml`` is found as ``pyyaml`` and ``argon2`` as ``argon2-cffi``.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNTIME = ("matching", "data_contracts", "sample_data", "satupekerja", "assets", "pipelines")
DEVELOPMENT = ("tests", "benchmarks")
# Benchmarks run as scripts from their folder and import their siblings by bare name.
LOCAL_SCRIPTS = {path.stem for path in (REPO / "benchmarks").glob("*.py")}


def _distribution_name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]).lower()


def _third_party_imports(folders: tuple[str, ...]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    ours = set(RUNTIME) | set(DEVELOPMENT) | LOCAL_SCRIPTS
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*.py")):
            if "demo" in path.relative_to(REPO).parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in ours and top != "__future__":
                        found.setdefault(top, path.relative_to(REPO))
    return found


def _undeclared(imports: dict[str, Path], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    problems = []
    for name, where in sorted(imports.items()):
        candidates = {_distribution_name(d) for d in distributions.get(name, [])}
        if not candidates & declared:
            problems.append(f"{name} (imported by {where}; distribution {sorted(candidates) or 'not installed'})")
    return problems


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_distribution_name(r) for r in project["dependencies"]}
    dev = {_distribution_name(r) for r in project["optional-dependencies"]["dev"]}
    return runtime, runtime | dev


def test_runtime_imports_are_declared_dependencies():
    runtime, _ = _declared()
    assert not _undeclared(_third_party_imports(RUNTIME), runtime)


def test_test_and_benchmark_imports_are_declared_in_the_dev_extra():
    _, everything = _declared()
    assert not _undeclared(_third_party_imports(DEVELOPMENT), everything)


def test_an_undeclared_import_is_reported():
    # pandas is installed and declared; declaring nothing makes it a finding.
    assert _undeclared({"pandas": Path("x.py")}, set()) == ["pandas (imported by x.py; distribution ['pandas'])"]
