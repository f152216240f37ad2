"""`python -m ingest` end to end on the real corpus, in a subprocess, as a user runs it."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import Clause, DocumentMeta, IndicatorRecord, TaskRecord, load_corpus, parse_file

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"
DOC_IDS = ["jiangyin-2020", "jurong-2022", "lianyungang-2021", "nanjing-2021", "nantong-2021"]
COLUMNS = ["sections", "clauses", "table_rows", "indicators", "tasks"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    proc = _run("data/plans", "--out", out)
    assert proc.returncode == 0, proc.stderr
    return proc, out


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_build_writes_the_records_figures_and_sources_atomically(built):
    _, out = built
    assert sorted(p.name for p in out.iterdir()) == [
        "clauses.jsonl", "documents.jsonl", "figures.jsonl", "headings.jsonl", "indicators.jsonl", "sources", "tasks.jsonl"]
    doc_ids = [row["doc_id"] for row in _jsonl(out / "documents.jsonl")]
    assert sorted(p.name for p in (out / "sources").iterdir()) == sorted(f"{d}.txt" for d in doc_ids)


def test_documents_carry_the_manifest_metadata_and_the_text_hash(built):
    _, out = built
    manifest = {e["doc_id"]: e for e in json.loads((PLANS / "manifest.json").read_text(encoding="utf-8"))["documents"]}
    metas = [DocumentMeta(**row) for row in _jsonl(out / "documents.jsonl")]
    assert sorted(m.doc_id for m in metas) == DOC_IDS
    for meta in metas:
        for key, value in manifest[meta.doc_id].items():
            assert getattr(meta, key) == value, (meta.doc_id, key)
        assert meta.sha256 == parse_file(PLANS / meta.file).meta.sha256


def test_every_clause_offset_is_exact_against_the_source_file(built):
    _, out = built
    files = {row["doc_id"]: row["file"] for row in _jsonl(out / "documents.jsonl")}
    sources = {doc_id: (PLANS / name).read_bytes().decode("utf-8") for doc_id, name in files.items()}
    clauses = [Clause.from_dict(row) for row in _jsonl(out / "clauses.jsonl")]
    assert {c.doc_id for c in clauses} == set(DOC_IDS)
    for clause in clauses:
        assert sources[clause.doc_id][clause.char_start:clause.char_end] == clause.text, clause.clause_id
    assert len({c.clause_id for c in clauses}) == len(clauses)


def test_indicator_and_task_lines_parse_back_into_records(built):
    _, out = built
    files = {row["doc_id"]: row["file"] for row in _jsonl(out / "documents.jsonl")}
    lengths = {doc_id: len((PLANS / name).read_text(encoding="utf-8")) for doc_id, name in files.items()}
    for row in _jsonl(out / "indicators.jsonl"):
        record = IndicatorRecord.from_dict(row)
        assert record.to_dict() == row
        assert 0 <= record.char_start < record.char_end <= lengths[record.doc_id]
    for row in _jsonl(out / "tasks.jsonl"):
        record = TaskRecord(**{**row, "lead_units": tuple(row["lead_units"]), "partner_units": tuple(row["partner_units"])})
        assert json.loads(json.dumps(record.to_dict(), ensure_ascii=False)) == row
        assert 0 <= record.char_start < record.char_end <= lengths[record.doc_id]


def test_printed_counts_match_the_records(built):
    proc, out = built
    table = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[0] in (*DOC_IDS, "total"):
            table[parts[0]] = dict(zip(COLUMNS, map(int, parts[1:]), strict=True))
    assert set(table) == {*DOC_IDS, "total"}, proc.stdout
    expected = {d.meta.doc_id: d for d in load_corpus(PLANS).documents}
    clauses = [Clause.from_dict(r) for r in _jsonl(out / "clauses.jsonl")]
    for doc_id in DOC_IDS:
        mine = [c for c in clauses if c.doc_id == doc_id]
        assert table[doc_id] == {
            "sections": len(expected[doc_id].headings),
            "clauses": len(mine),
            "table_rows": sum(c.kind == "table_row" for c in mine),
            "indicators": sum(r["doc_id"] == doc_id for r in _jsonl(out / "indicators.jsonl")),
            "tasks": sum(r["doc_id"] == doc_id for r in _jsonl(out / "tasks.jsonl")),
        }
    assert table["total"] == {c: sum(table[d][c] for d in DOC_IDS) for c in COLUMNS}


def test_progress_bar_and_seconds_are_reported(built):
    proc, _ = built
    assert "5/5" in proc.stderr and "Traceback" not in proc.stderr
    seconds = float(re.search(r"5 plan\(s\) parsed, 0 skipped, (\d+\.\d+) s", proc.stdout).group(1))
    assert seconds < 10, f"ingest took {seconds} s; the goal is under 10 s"


def test_bad_files_are_listed_and_the_rest_is_built(tmp_path):
    plans = tmp_path / "plans"
    shutil.copytree(PLANS, plans)
    (plans / "empty.txt").write_bytes(b"")
    (plans / "fake.docx").write_text("not a docx", encoding="utf-8")
    proc = _run(plans, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "skipped: empty.txt:" in proc.stderr and "skipped: fake.docx:" in proc.stderr
    assert "5 plan(s) parsed, 2 skipped" in proc.stdout


@pytest.mark.parametrize("case", ["missing", "empty", "only-bad", "out-is-a-file"])
def test_unusable_input_exits_1_with_a_message(tmp_path, case):
    target, out = tmp_path / "plans", tmp_path / "out"
    if case != "missing":
        target.mkdir()
    if case == "only-bad":
        (target / "a.txt").write_bytes(b"")
    if case == "out-is-a-file":
        shutil.copy(PLANS / "jurong-2022-sti-plan.txt", target)
        out.write_text("x", encoding="utf-8")
    proc = _run(target, "--out", out)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "Traceback" not in proc.stderr
    expected = {"missing": "no such directory", "empty": "no plan files", "only-bad": "none of the 1 file(s)",
                "out-is-a-file": "cannot write the output"}[case]
    assert expected in proc.stderr


def test_outline_prints_the_heading_tree(tmp_path):
    path = PLANS / "nanjing-2021-sti-plan.txt"
    proc = _run("outline", path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "南京市“十四五”科技创新规划  [nanjing-2021, 南京市]"
    headings = parse_file(path).headings
    flat_note = "（无标题层级：按无结构文档处理 / no headings: a flat document）"
    assert lines[1:] == (["  " * (h.level - 1) + h.title for h in headings] if headings else [flat_note])
    flat = tmp_path / "flat.txt"
    flat.write_text("全市研发投入持续增长。\n", encoding="utf-8")
    proc = _run("outline", flat)
    assert proc.returncode == 0 and "flat document" in proc.stdout


def test_outline_of_a_bad_file_is_a_clean_error(tmp_path):
    (tmp_path / "x.docx").write_text("no", encoding="utf-8")
    proc = _run("outline", tmp_path / "x.docx")
    assert proc.returncode == 1 and proc.stderr.startswith("error: x.docx:") and "Traceback" not in proc.stderr
