"""One lexicon: no second year pattern, 万/亿 number pattern, city-suffix strip, NFKC call or list of baseline/target
cue words outside ingest/lexicon.py and its data files, nor a second sentence splitter beside ingest/sentences.py.

The vocabulary of numbers, years, places and normalisation is written once (ingest/lexicon.py); every other
module imports it. This scans the string literals and calls of every product, eval and bench source file
(an AST walk, so comments and docstrings do not count) and fails on a pattern that reads a year
(20\\d\\d, (19|20)\\d{2}, \\d{4}, 20[1-5]\\d), a number with its 万/亿, a 市/县/区 stripped off a name, or
NFKC called directly, a character class of sentence ends alone ([。；;！？!?]: a second sentence splitter), or an
alternation made mostly of baseline and target cue words (截至|截止|以来, 发展基础|现状 …:
the words of ingest/resources/cues.tsv, which code reads through ingest.lexicon.cue). Patterns built on the
lexicon's fragments (YEAR_DIGITS, cue(...).pattern) pass: the vocabulary stays in one place.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ingest.lexicon import CUES, read_rules
from ingest.sentences import CLOSERS, SENTENCE_END

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ingest", "index", "assistant", "eval", "webui", "bench", "tuning")
ALLOWED = {ROOT / "ingest" / "lexicon.py"}  # the one lexicon

# A year written as digits in a pattern.
YEAR_PATTERN = re.compile(r"20\\d\\d|20\\d\{2\}|\(\?:19\|20\)|\(19\|20\)|\\d\{4\}|20\[0-9\]|20\[1-5\]")
# A number followed by its multiplier: a digit class and 万/亿 as alternatives or a class.
MULTIPLIER = re.compile(r"万\|亿|亿\|万|\[万亿\]|\[亿万\]")
SUFFIXES = set("市县区")
# Regular-expression decoration around a word in an alternation: groups, look-arounds, \s*, anchors, classes.
_DECORATION = re.compile(r"\(\?[:=!<]*|\\s\*|\\d|[()?$*+^\[\]]")
CUE_WORDS = {w for entries in read_rules(CUES).values() for e, _ in entries
             if re.fullmatch(r"[\u4e00-\u9fff]+", w := _DECORATION.sub("", e))}


def sentence_end_class(text: str) -> str | None:
    """A character class of sentence ends alone ([。；;！？!?]): a second sentence splitter (ingest/sentences.py is the
    one). A short optional tail such as [？?。]?$ after a question is not one."""
    for m in re.finditer(r"\[([^\]]+)\]", text):
        chars = set(m.group(1).replace("\\", ""))
        if "。" in chars and len(chars) >= 4 and chars <= set(SENTENCE_END + CLOSERS):
            return m.group(0)
    return None


def cue_list(text: str) -> list[str]:
    """The cue words of an alternation made mostly of them (three or more, at least half its alternatives): a
    copy of a cue rule. Other word lists that share a few cue words (subject leads, verbs) are not one."""
    if "|" not in text:
        return []
    alternatives = [_DECORATION.sub("", a) for a in text.split("|")]
    cues = [a for a in alternatives if a in CUE_WORDS]
    return cues if len(set(cues)) >= 3 and 2 * len(cues) >= len(alternatives) else []
STRIPPERS = {"removesuffix", "rstrip", "strip"}


def _sources() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files.extend(sorted((ROOT / package).rglob("*.py")))
    return [f for f in files if f.is_file() and f not in ALLOWED]


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring constants (prose, not patterns)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                out.add(id(first.value))
    return out


def offences(source: str) -> list[str]:
    """What in one file's source repeats the lexicon: (line, kind, text) descriptions."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
            if YEAR_PATTERN.search(text):
                found.append(f"{node.lineno}: a year pattern {text!r}")
            if "\\d" in text and MULTIPLIER.search(text):
                found.append(f"{node.lineno}: a 万/亿 number pattern {text!r}")
            if re.search(r"[市县区]\$|\[市县区?\]\$|市\|县(?:\|区)?\)\$", text):
                found.append(f"{node.lineno}: a place-suffix pattern {text!r}")
            if sentence_end_class(text):
                found.append(f"{node.lineno}: a sentence-end class {text!r} (use ingest.sentences)")
            if cue_list(text):
                found.append(f"{node.lineno}: a list of baseline/target cues {text!r} (use ingest.lexicon.cue)")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name in STRIPPERS and any(a and set(a) <= SUFFIXES for a in args):
                found.append(f"{node.lineno}: a city-suffix strip .{name}({args[0]!r}) (use ingest.lexicon.city_key/place_stem)")
            if name == "replace" and args and args[0] in SUFFIXES:
                found.append(f"{node.lineno}: a city-suffix strip .replace({args[0]!r}, …)")
            if name == "normalize" and args and args[0] in ("NFKC", "NFKD"):
                found.append(f"{node.lineno}: NFKC called directly (use ingest.lexicon.normalize)")
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_second_vocabulary(path):
    found = offences(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)} repeats ingest/lexicon.py:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    'import re\nYEAR = re.compile(r"(20\\d\\d)年")\n',
    'import re\nYEAR = re.compile(r"((?:19|20)\\d{2})")\n',
    'import re\nx = re.findall(r"\\d{4}", period)\n',
    'import re\nN = re.compile(r"\\d+(?:\\.\\d+)?(?:万|亿)?")\n',
    'def key(c):\n    return c.removesuffix("市")\n',
    'def stem(c):\n    return c.rstrip("市县区")\n',
    'import re\ndef stem(c):\n    return re.sub(r"(市|县|区)$", "", c)\n',
    'import unicodedata\ndef n(t):\n    return unicodedata.normalize("NFKC", t)\n',
    'import re\nPAST = re.compile(r"十三五|截至|截止")\n',
    'import re\nREVIEW = re.compile(r"发展基础|现状|回顾|存在问题")\n',
    'import re\nVERB = re.compile(r"(?:达|超|逾)\\s*$")\n',
    'import re\nparts = re.split(r"(?<=[。！？!?])", text)\n',
    'import re\nEND = re.compile(r"[。！？；!?;]+[”’」』）)]*")\n',
])
def test_the_scan_catches_each_kind(source):
    assert offences(source)


def test_the_scan_passes_lexicon_use_and_prose():
    source = (
        '"""Years such as 2025年 are read by the lexicon (20\\\\d\\\\d is not written here)."""\n'
        "import re\n"
        "from ingest.lexicon import YEAR_DIGITS, city_key, cue\n"
        'LEADING = re.compile(rf"^(到|至)?{YEAR_DIGITS}年")\n'
        'REVIEW = cue("review_section")\n'
        'LEAD = re.compile(r"其中|同时|此外|已经|目前|累计|先后|当年|全市")\n'  # a list that shares a few cue words
        'def key(c):\n    return city_key(c)\n'
    )
    assert offences(source) == []


def test_the_lexicon_itself_holds_the_patterns():
    assert offences((ROOT / "ingest" / "lexicon.py").read_text(encoding="utf-8"))
