"""The arrows point one way: no module imports from a layer above its own, and no import cycle.

Read with `ast` from the source tree (every `import`, `from … import` — also inside functions — and
`importlib.import_module("…")` with a literal name), so nothing is imported to check it.
Layers, lowest first: ingest ← index ← assistant ← webui ← app.py; eval sits beside webui, above the
assistant (it uploads a plan through `index.library` like the page does), tuning above eval. Packages on one
level (webui and eval; app.py and tuning) do not import each other. bench/ sits above all the product and may
import any of it; tests/ sits above bench (it tests bench's code and starts the app through `bench.process`);
so no product module imports bench/ or tests/, and bench/ does not import tests/. The UI (webui/, app.py)
imports nothing from assistant/composers/: what it needs comes through `assistant`'s front door.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"ingest": 0, "index": 1, "assistant": 2, "webui": 3, "eval": 3, "app": 4, "tuning": 4, "bench": 5, "tests": 6}
NOT_CODE = {"build", "data", "docs", "prompts", "planqa.egg-info"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> Iterator[Path]:
    for top in sorted(LAYERS):
        if (ROOT / f"{top}.py").is_file():
            yield ROOT / f"{top}.py"
        else:
            yield from sorted((ROOT / top).rglob("*.py"))


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module or module.name) for every import the file makes, anywhere in it."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


def imports_in(source: str, module: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__")))):
            yield node.lineno, node.args[0].value


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for p in source_files()}


def resolve(target: str, known: dict[str, Path]) -> str | None:
    """The project module `target` names (`a.b.c` may be module a.b's name c), or None for a third-party one."""
    while target:
        if target in known:
            return target
        target = target.rpartition(".")[0]
    return None


def test_every_top_level_package_has_a_layer() -> None:
    tops = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    tops |= {p.stem for p in ROOT.glob("*.py")}
    unplaced = tops - set(LAYERS) - NOT_CODE
    assert not unplaced, f"place these in LAYERS (tests/test_layers.py): {sorted(unplaced)}"


def test_no_module_imports_from_a_layer_above_it() -> None:
    known = project_modules()
    violations = []
    for module, path in known.items():
        top = module.split(".")[0]
        for line, target in imports(path):
            other = target.split(".")[0]
            if other not in LAYERS or other == top:
                continue
            if LAYERS[other] >= LAYERS[top]:
                violations.append(f"{path.relative_to(ROOT)}:{line} ({top}, layer {LAYERS[top]}) imports {target} "
                                  f"({other}, layer {LAYERS[other]})")
    assert not violations, "imports against the layering:\n" + "\n".join(violations)


def test_the_ui_does_not_reach_into_the_composers() -> None:
    """webui/ and app.py get what they need of the composers (subjects, NOT_SET …) from `assistant`'s front door."""
    known = project_modules()
    reaching = [f"{path.relative_to(ROOT)}:{line} imports {target}"
                for module, path in known.items() if module.split(".")[0] in ("webui", "app")
                for line, target in imports(path) if target.startswith("assistant.composers")]
    assert not reaching, "use `from assistant import …` instead:\n" + "\n".join(reaching)


def test_no_import_cycle_between_modules() -> None:
    known = project_modules()
    graph = {m: sorted({t for _, target in imports(p) if (t := resolve(target, known)) and t != m}) for m, p in known.items()}
    # a package's __init__ is where Python starts importing any of its modules: not an edge back to it
    graph = {m: [t for t in targets if not m.startswith(f"{t}.")] for m, targets in graph.items()}
    cycles, state, stack = [], {}, []

    def visit(m: str) -> None:
        state[m] = "open"
        stack.append(m)
        for t in graph[m]:
            if state.get(t) == "open":
                cycles.append(" → ".join(stack[stack.index(t):] + [t]))
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_checker_sees_imports_wherever_they_are() -> None:
    """Every form an upward import can take, including the run-time ones tuning used to hide behind."""
    code = ("import assistant.service\nfrom eval import dataset\nfrom . import fusion\nfrom ..ingest import records\n"
            "def f():\n    from tuning.tune import tune\n    importlib.import_module('webui.render')\n")
    found = [t for _, t in sorted(imports_in(code, "index.probe"))]
    assert found == ["assistant.service", "eval.dataset", "index.fusion", "ingest.records", "tuning.tune.tune", "webui.render"]
