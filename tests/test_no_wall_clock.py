"""No unit test asserts how long something took (issue 21 item 5): timings flake on a busy 2-core machine.

Read with `ast` from tests/*.py. An `assert` may not compare an elapsed time — `clock() - start`, or a name
assigned from one — nor a clock reading against anything but a deadline of at least MIN_DEADLINE_S seconds
(`deadline = clock() + 120`, which only stops a hung wait). Speed belongs in bench/ (bench/README.md).
"""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLOCKS = {"perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns", "time", "time_ns", "process_time"}
MIN_DEADLINE_S = 60


def _is_clock(node: ast.AST) -> bool:
    """`time.perf_counter()`, `time.monotonic()` … or a bare `perf_counter()` / `monotonic()`."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr in CLOCKS and isinstance(func.value, ast.Name) and func.value.id == "time"
    return isinstance(func, ast.Name) and func.id in CLOCKS - {"time"}


def _assigned(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    """(name, value) for every simple assignment in the file, tuple targets paired element by element."""
    pairs = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    pairs.append((target.id, node.value))
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    pairs += [(t.id, v) for t, v in zip(target.elts, node.value.elts) if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            pairs.append((node.target.id, node.value))
    return pairs


def wall_clock_assertions(source: str, name: str = "<test>") -> list[str]:
    """`name:line` of every assert in `source` that checks elapsed time."""
    tree = ast.parse(source)
    pairs = _assigned(tree)
    readings = {n for n, v in pairs if _is_clock(v)}

    def clockish(node: ast.AST) -> bool:
        return _is_clock(node) or (isinstance(node, ast.Name) and node.id in readings)

    def elapsed_expr(node: ast.AST) -> bool:
        return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)
                and (clockish(node.left) or clockish(node.right)))

    elapsed = {n for n, v in pairs if any(elapsed_expr(sub) for sub in ast.walk(v))}
    deadlines = {n for n, v in pairs if isinstance(v, ast.BinOp) and isinstance(v.op, ast.Add)
                 and clockish(v.left) and isinstance(v.right, ast.Constant)
                 and isinstance(v.right.value, int | float) and v.right.value >= MIN_DEADLINE_S}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for compare in (n for n in ast.walk(node.test) if isinstance(n, ast.Compare)):
            operands = [compare.left, *compare.comparators]
            if any(elapsed_expr(sub) or (isinstance(sub, ast.Name) and sub.id in elapsed)
                   for o in operands for sub in ast.walk(o)):
                found.append(f"{name}:{node.lineno}")
                break
            clocks = [o for o in operands if any(_is_clock(sub) for sub in ast.walk(o))]
            if clocks and not (len(operands) == 2 and len(clocks) == 1 and _is_clock(clocks[0])
                               and any(isinstance(o, ast.Name) and o.id in deadlines for o in operands)):
                found.append(f"{name}:{node.lineno}")
                break
    return found


def test_no_test_asserts_on_elapsed_time() -> None:
    found = [hit for path in sorted(TESTS.glob("*.py"))
             for hit in wall_clock_assertions(path.read_text(encoding="utf-8"), path.name)]
    assert not found, ("assert on behaviour, and time it in bench/ instead:\n" + "\n".join(found))


def test_the_checker_sees_each_form_of_a_timing_assertion() -> None:
    caught = [
        "import time\nstart = time.perf_counter()\nwork()\nassert time.perf_counter() - start < 5\n",
        "import time\nt0 = time.monotonic()\nwork()\nseconds = time.monotonic() - t0\nassert seconds < 2, seconds\n",
        "import time\ndef f():\n    a = time.monotonic()\n    took = time.monotonic() - a\n    return took\n"
        "took = f()\nassert took < 5\n",
        "from time import perf_counter\nstart = perf_counter()\nassert perf_counter() < start + 5\n",
        "import time\nsoon = time.monotonic() + 5\nassert time.monotonic() < soon\n",
    ]
    for number, source in enumerate(caught):
        assert wall_clock_assertions(source), f"not caught: example {number}"
    allowed = [
        "import time\ndeadline = time.monotonic() + 300\nwhile busy():\n"
        "    assert time.monotonic() < deadline, 'did not start'\n",  # a hang guard, not a speed check
        "import time\nold = time.time() - 3600\nos.utime(path, (old, old))\nassert stale(path)\n",
        "import time\nstarted = time.perf_counter()\nreport = build()\nassert report.documents == 5\n",
    ]
    for number, source in enumerate(allowed):
        assert not wall_clock_assertions(source), f"flagged: allowed example {number}"
