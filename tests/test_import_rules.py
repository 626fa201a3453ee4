"""The import rules of docs/architecture.md hold: every module imports only what its package's row allows.

The table "Packages and what each may import" in ``docs/architecture.md`` is the one place the rules are
declared; this test parses it (first column: package, last column: allowed names in backticks, or "everything")
and every module's imports with ``ast`` — module level and inside functions alike. Run as a script to print the
edges actually found per package.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ARCHITECTURE = REPO / "docs" / "architecture.md"
HEADING = "## Packages and what each may import"
# Top-level folders holding our Python code; anything else at the root (docs, deploy, .venv...) is not code.
CODE_ROOTS = ("matching", "data_contracts", "sample_data", "satupekerja", "assets", "pipelines", "tests", "benchmarks")
SKIPPED_PARTS = {"__pycache__", "demo"}  # sample_data/demo is generated data, not code
EVERYTHING = None  # a row whose "may import" says "everything" is not checked


def read_rules(text: str) -> dict[str, frozenset[str] | None]:
    """Package -> allowed import names (None: everything), from the table under ``HEADING``."""
    lines = text.split("\n")
    start = lines.index(HEADING)
    rules: dict[str, frozenset[str] | None] = {}
    in_table = False
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            if in_table:
                break
            continue
        in_table = True
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if set(cells[0]) <= {"-", " "} or cells[0] == "package":
            continue
        package = cells[0].strip("`").rstrip("/").replace("/", ".")
        allowed = cells[-1]
        rules[package] = (
            EVERYTHING if allowed == "everything" else frozenset(re.findall(r"`([A-Za-z0-9_.]+)`", allowed))
        )
    return rules


def code_modules() -> dict[str, Path]:
    """Dotted module name -> file, for every Python file under the code roots."""
    modules = {}
    for root in CODE_ROOTS:
        for path in sorted((REPO / root).rglob("*.py")):
            relative = path.relative_to(REPO)
            if SKIPPED_PARTS & set(relative.parts):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path) -> set[str]:
    """Absolute names of everything ``module`` imports (relative imports resolved, ``from a import b`` as ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package_parts = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = str(node.module)
            # `from matching import normalize` imports matching.normalize: judge each imported name by its full path.
            names.update(source if alias.name == "*" else f"{source}.{alias.name}" for alias in node.names)
    return names


def package_of(module: str, rules: dict[str, frozenset[str] | None]) -> str | None:
    """The longest row name that ``module`` is or lies under."""
    owners = [package for package in rules if module == package or module.startswith(package + ".")]
    return max(owners, key=len) if owners else None


def _under(name: str, allowed: str) -> bool:
    return name == allowed or name.startswith(allowed + ".")


def is_allowed(name: str, package: str, allowed: frozenset[str]) -> bool:
    top = name.split(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return True
    if _under(name, package):
        return True
    return any(_under(name, entry) for entry in allowed)


def violations(rules: dict[str, frozenset[str] | None], modules: dict[str, Path], root: Path = REPO) -> list[str]:
    found = []
    for module, path in modules.items():
        package = package_of(module, rules)
        if package is None:
            continue  # reported by test_every_module_falls_under_a_row
        allowed = rules[package]
        if allowed is EVERYTHING:
            continue
        for name in sorted(imported_names(module, path)):
            if not is_allowed(name, package, allowed):
                found.append(f"{path.relative_to(root)}: imports {name}, which the row `{package}` does not allow")
    return found


@pytest.fixture(scope="module")
def rules() -> dict[str, frozenset[str] | None]:
    return read_rules(ARCHITECTURE.read_text(encoding="utf-8"))


def test_the_table_declares_every_top_level_package(rules):
    assert set(CODE_ROOTS) <= set(rules), f"rows missing in {HEADING!r}: {sorted(set(CODE_ROOTS) - set(rules))}"


def test_every_module_falls_under_a_row(rules):
    orphans = [module for module in code_modules() if package_of(module, rules) is None]
    assert not orphans


def test_every_module_imports_only_what_its_row_allows(rules):
    problems = violations(rules, code_modules())
    assert not problems, "\n".join(problems)


def test_the_engine_rows_forbid_what_the_design_forbids(rules):
    # The rules above are only as good as the table; these are the lines the design draws and must not be relaxed.
    forbidden = {
        "matching": ("dagster", "assets", "pipelines", "satupekerja", "data_contracts", "sample_data"),
        "data_contracts": ("dagster", "assets", "pipelines", "satupekerja", "matching.model", "matching.clustering"),
        "sample_data": ("dagster", "assets", "pipelines", "satupekerja", "matching", "data_contracts"),
        "satupekerja.registry": ("dagster", "satupekerja.staff", "satupekerja.web", "satupekerja.publishing"),
        "satupekerja.privacy": ("dagster", "satupekerja.registry", "satupekerja.staff", "satupekerja.web"),
        "satupekerja.publishing": ("dagster", "satupekerja.registry", "satupekerja.staff", "satupekerja.web"),
    }
    for package, names in forbidden.items():
        allowed = rules[package]
        assert allowed is not EVERYTHING
        for name in names:
            assert not is_allowed(name, package, allowed), f"{package} may not import {name}"


def test_the_checker_catches_a_forbidden_import(tmp_path):
    # A rule checker that never fails proves nothing: a module under `matching` importing dagster is reported,
    # also when the import hides in a function, and a relative import is resolved before it is judged.
    engine = tmp_path / "matching"
    engine.mkdir()
    (engine / "__init__.py").write_text("")
    (engine / "bad.py").write_text("import numpy\n\ndef f():\n    from dagster import asset\n    from . import good\n")
    rules = read_rules(f"{HEADING}\n\n| package | holds | may import |\n|---|---|---|\n| `matching` | x | `numpy` |\n")
    modules = {"matching": engine / "__init__.py", "matching.bad": engine / "bad.py"}
    assert imported_names("matching.bad", engine / "bad.py") == {"numpy", "dagster.asset", "matching.good"}
    assert violations(rules, modules, tmp_path) == [
        "matching/bad.py: imports dagster.asset, which the row `matching` does not allow"
    ]


if __name__ == "__main__":
    table = read_rules(ARCHITECTURE.read_text(encoding="utf-8"))
    edges: dict[str, set[str]] = defaultdict(set)
    for name, file in code_modules().items():
        owner = package_of(name, table) or "(no row)"
        for imported in imported_names(name, file):
            parts = imported.split(".")
            if parts[0] not in sys.stdlib_module_names and not _under(imported, owner):
                edges[owner].add(".".join(parts[:2]) if parts[0] in CODE_ROOTS else parts[0])
    for owner in sorted(edges):
        print(f"{owner}: {', '.join(sorted(edges[owner]))}")
