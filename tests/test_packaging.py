"""Every third-party package the code imports by name is declared in pyproject.toml.

A package that only arrives as another's dependency (pandas through gradio, uvicorn through mcp) disappears
the day that dependency drops it; a fresh install then fails at import time. Product code (the packages and
app.py) must name its imports in `dependencies` or a feature extra (llm, milvus); tests and benches may also
lean on the `dev` extra. Import names map to distributions through importlib.metadata.packages_distributions().
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("ingest", "index", "assistant", "webui", "eval", "tuning")
SUPPORT = ("tests", "bench")
DEV_EXTRAS = {"dev"}


def _normal(name: str) -> str:
    """PEP 503 form of a distribution name (pdfminer.six and pdfminer-six are one name)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        assert found, f"unreadable requirement in pyproject.toml: {requirement!r}"
        names.add(_normal(found.group(1)))
    return names


def _declared() -> tuple[set[str], set[str]]:
    """(names product code may import from, names tests and benches may import from)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    product = _requirement_names(project["dependencies"])
    for extra, requirements in extras.items():
        if extra not in DEV_EXTRAS:
            product |= _requirement_names(requirements)
    support = set(product)
    for extra in DEV_EXTRAS:
        support |= _requirement_names(extras.get(extra, []))
    return product, support


def _files(roots: tuple[str, ...]) -> list[Path]:
    return sorted(path for root in roots for path in (ROOT / root).rglob("*.py") if ".venv" not in path.parts)


def _local_names() -> set[str]:
    """Top-level names that resolve inside the repository (its packages, app.py, test and bench modules)."""
    names = set(PRODUCT) | set(SUPPORT) | {"app"}
    for root in SUPPORT:
        names |= {path.stem for path in (ROOT / root).glob("*.py")}
    return names


def imported_top_levels(files: list[Path]) -> dict[str, set[str]]:
    """Third-party top-level import names → the files (relative paths) that import them."""
    local = _local_names()
    found: dict[str, set[str]] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in local:
                    continue
                found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def undeclared(imports: dict[str, set[str]], declared: set[str]) -> list[str]:
    """One line per import name none of whose distributions is declared."""
    installed = md.packages_distributions()
    problems = []
    for name, files in sorted(imports.items()):
        distributions = installed.get(name)
        if distributions:
            if not {_normal(d) for d in distributions} & declared:
                problems.append(f"{name} (distribution {', '.join(sorted(set(distributions)))}) "
                                f"imported in {', '.join(sorted(files))} is not declared")
        elif not any(requirement.startswith(_normal(name)) for requirement in declared):
            # not installed (an extra left out of this environment): its requirement must at least carry its name
            problems.append(f"{name} imported in {', '.join(sorted(files))} is neither installed nor declared")
    return problems


def test_product_imports_are_declared():
    product, _ = _declared()
    imports = imported_top_levels(_files(PRODUCT) + [ROOT / "app.py"])
    assert {"pandas", "fastapi", "uvicorn", "httpx"} <= imports.keys()  # the scan sees the imports it must check
    assert undeclared(imports, product) == []


def test_test_and_bench_imports_are_declared():
    _, support = _declared()
    imports = imported_top_levels(_files(SUPPORT))
    assert {"pytest", "psutil"} <= imports.keys()
    assert undeclared(imports, support) == []


def test_a_missing_declaration_is_reported():
    product, _ = _declared()
    imports = imported_top_levels([ROOT / "webui" / "handlers.py"])
    problems = undeclared(imports, product - {"pandas"})
    assert len(problems) == 1 and problems[0].startswith("pandas (distribution pandas)")
    assert "webui/handlers.py" in problems[0]
