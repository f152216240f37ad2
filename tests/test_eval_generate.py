"""Coverage sets (`python -m eval generate`) made from the parsed corpus.

Every generated item must load as a dataset item, quote its plan exactly (8-60 characters, one
line), state its facts near its quotes, and the sets must enumerate the corpus: as many items as
ingest has indicator rows with targets (twice), sections with three or more sub-headings, tables
and task rows. The output depends only on the plans, and the committed files are the output.
"""
from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest
from eval_support import StrictItem

from eval.__main__ import main
from eval.check import check_dataset
from eval.corpus import load_sources
from eval.dataset import EvalItem, load_dataset
from eval.generate import (
    FIGURE_SUBJECT,
    MIN_CHILDREN,
    SETS,
    SetResult,
    _core_title,
    _figures_module,
    _indicator_items,
    _rewrite,
    _tables,
    _task_phrase,
    _value_alternatives,
    generate,
    write_sets,
)
from ingest.corpus import load_corpus
from ingest.lexicon import cn_numeral

FIGURES = _figures_module()  # ingest/figures.py: prose_figures is made only where it exists
needs_figures = pytest.mark.skipif(FIGURES is None, reason="ingest/figures.py is not in this checkout")

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"
COMMITTED = ROOT / "eval" / "data" / "coverage"


@cache
def results() -> dict[str, SetResult]:
    return generate(PLANS)


@cache
def corpus():
    return load_corpus(PLANS).documents


@cache
def sources() -> dict[str, str]:
    return load_sources(PLANS)


def items_of(name: str) -> list[EvalItem]:
    if name not in results():
        pytest.skip(f"{name} needs ingest/figures.py")
    return [EvalItem.model_validate(item) for item in results()[name].items]


@pytest.mark.parametrize("name", SETS)
def test_items_validate_strictly_with_unique_ids(name):
    items_of(name)
    raw = results()[name].items
    assert raw, f"{name} is empty"
    for item in raw:
        StrictItem.model_validate(item)
    ids = [item["id"] for item in raw]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", SETS)
def test_quotes_exact_single_line_and_within_length(name):
    text = sources()
    for item in items_of(name):
        assert item.evidence and item.answer_facts, item.id
        for ev in item.evidence:
            assert ev.quote in text[ev.doc_id], (item.id, ev.quote)
            assert 8 <= len(ev.quote) <= 60 and "\n" not in ev.quote, (item.id, ev.quote)
    assert check_dataset(items_of(name), text).errors == []


@pytest.mark.parametrize("name", ["indicators", "outlines", "tasks", "prose_figures"])
def test_facts_within_300_characters_of_a_quote(name):
    assert check_dataset(items_of(name), sources()).warnings == []


def test_table_counts_stated_by_row_numbers_are_near_their_quotes():
    """A count is near its quotes when the rows are numbered 1..n (the last row is quoted); a table
    without row numbers does not state its count, and its notes say so."""
    warned = {w.split(":")[0] for w in check_dataset(items_of("tables"), sources()).warnings}
    for item in items_of("tables"):
        if "rows are numbered 1..n" in item.notes:
            assert item.id not in warned
        else:
            assert "does not state the count" in item.notes


def test_indicator_set_is_every_row_with_a_target_asked_twice():
    rows = [(d, r) for d in corpus() for r in d.indicators if (r.target.value_text or "").strip()]
    items = items_of("indicators")
    assert len(items) == 2 * len(rows)
    assert sum(item["paraphrased"] for item in results()["indicators"].items) >= 1
    by_id = {i.id: i for i in items}
    for doc in corpus():
        for k, rec in enumerate(doc.indicators, start=1):
            for variant in ("plan", "colloquial"):
                item = by_id[f"indicators-{doc.meta.doc_id}-{k:02d}-{variant}"]
                assert item.type == "target" and item.city == doc.meta.city
                fact = item.answer_facts[0]
                assert rec.target.value_text in ([fact] if isinstance(fact, str) else fact)
                quote = item.evidence[0].quote
                assert sources()[doc.meta.doc_id].find(quote, rec.char_start - 1, rec.char_end) >= 0  # in its own row
            assert rec.indicator in by_id[f"indicators-{doc.meta.doc_id}-{k:02d}-plan"].question


def test_indicator_row_without_target_is_skipped_and_counted():
    doc = next(d for d in corpus() if d.indicators)
    blank = dataclasses.replace(doc.indicators[0], target=dataclasses.replace(doc.indicators[0].target, value_text=None))
    out = SetResult("indicators")
    _indicator_items(dataclasses.replace(doc, indicators=[blank] + doc.indicators[1:]), out)
    assert len(out.items) == 2 * (len(doc.indicators) - 1)
    assert len(out.skipped) == 1 and "no target value" in out.skipped[0]


def test_outline_set_is_every_section_with_three_or_more_sub_headings():
    expected = 0
    for doc in corpus():
        hs = doc.headings
        for k, h in enumerate(hs):
            children = []
            for later in hs[k + 1 :]:
                if later.level <= h.level:
                    break
                if later.level == h.level + 1:
                    children.append(later)
            if len(children) >= MIN_CHILDREN:
                expected += 1
    items = items_of("outlines")
    assert len(items) + len(results()["outlines"].skipped) == expected
    for item in items:
        assert item.type == "list" and len(item.evidence) >= MIN_CHILDREN
        assert all(len(f) <= 12 for f in item.answer_facts)


def test_table_set_is_every_table_with_its_row_count():
    tables = [(d, rows) for d in corpus() for rows in _tables(d.clauses)]
    items = items_of("tables")
    assert len(items) + len(results()["tables"].skipped) == len(tables)
    counts = sorted(len(rows) for _, rows in tables)
    assert sorted(int(i.answer_facts[0][0]) for i in items) == counts
    assert sum(counts) == sum(1 for d in corpus() for c in d.clauses if c.kind == "table_row")
    for item in items:
        n, *numerals = item.answer_facts[0]
        assert numerals and all(x.startswith(cn_numeral(int(n))) and len(x) == len(cn_numeral(int(n))) + 1 for x in numerals)
        assert "十四五" not in item.question or not any(x in "十四五规划" for x in numerals)


def test_task_set_is_every_task_row_with_its_lead_units():
    tasks = [t for d in corpus() for t in d.tasks]
    items = items_of("tasks")
    assert tasks and len(items) + len(results()["tasks"].skipped) == len(tasks)
    text = sources()
    for item in items:
        doc_id, k = item.id.removeprefix("tasks-").rsplit("-", 1)
        task = next(d for d in corpus() if d.meta.doc_id == doc_id).tasks[int(k) - 1]
        assert item.type == "fact" and item.answer_facts == list(dict.fromkeys(task.lead_units))
        assert text[doc_id].find(item.evidence[0].quote, task.char_start, task.char_end) >= 0  # its own row


@needs_figures
def test_prose_figure_set_is_every_target_figure_of_prose_or_a_box():
    figures = [(d, f) for d in corpus() for f in FIGURES.document_figures(d)
               if f.source in ("prose", "box") and f.role == "target"]
    items = items_of("prose_figures")
    assert len(items) + len(results()["prose_figures"].skipped) == len(figures)
    text = sources()
    for item in items:
        quote = item.evidence[0]
        candidates = [f for d, f in figures if d.meta.doc_id == quote.doc_id and f.subject and f.subject in item.question]
        assert candidates, item.id
        assert any(FIGURE_SUBJECT[0] <= len(f.subject) <= FIGURE_SUBJECT[1] for f in candidates)
        assert any(text[quote.doc_id].find(quote.quote, max(0, f.char_start - 60), f.char_end + 60) >= 0 for f in candidates)


def test_generation_is_deterministic_and_the_committed_files_are_its_output(tmp_path):
    first, second = generate(PLANS), generate(PLANS)
    assert {k: v.items for k, v in first.items()} == {k: v.items for k, v in second.items()}
    write_sets(first, tmp_path / "a")
    write_sets(second, tmp_path / "b")
    for name in first:
        a = (tmp_path / "a" / f"{name}.jsonl").read_bytes()
        assert a == (tmp_path / "b" / f"{name}.jsonl").read_bytes()
        committed = COMMITTED / f"{name}.jsonl"
        assert committed.exists() and committed.read_bytes() == a, f"rerun: python -m eval generate ({name})"


def test_cli_writes_the_chosen_sets(tmp_path, capsys):
    assert main(["generate", "--plans", str(PLANS), "--out-dir", str(tmp_path), "--sets", "tables", "tasks"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables.jsonl", "tasks.jsonl"]
    assert len(load_dataset(tmp_path / "tasks.jsonl")) == len(results()["tasks"].items)
    out = capsys.readouterr().out
    assert f"tables: {len(results()['tables'].items)} items" in out


def test_cli_rejects_a_missing_plans_folder(tmp_path, capsys):
    assert main(["generate", "--plans", str(tmp_path / "none"), "--out-dir", str(tmp_path / "out")]) == 2
    assert "manifest" in capsys.readouterr().err


@pytest.mark.parametrize(("n", "numeral"), [(1, "一"), (7, "七"), (10, "十"), (15, "十五"), (69, "六十九"),
                                            (100, "一百"), (105, "一百零五"), (110, "一百一十")])
def test_cn_numeral(n, numeral):
    assert cn_numeral(n) == numeral


def test_generic_rewrites_and_value_forms():
    assert _rewrite("高新技术企业数") == "高企数"
    assert _rewrite("科技型中小企业数") == "科小数"
    assert _rewrite("全社会研发经费支出占地区生产总值比重") == "研发强度"
    assert _rewrite("全社会研发投入占GDP比重") == "研发强度"
    assert _rewrite("技术合同成交额") == "技术交易额"
    assert _rewrite("每万人高价值发明专利拥有量") == "万人高价值发明专利拥有量"
    assert _rewrite("科技进步贡献率") == "科技进步贡献率"
    assert _value_alternatives("20000", "家") == ["20000", "2万"]
    assert _value_alternatives("3600", "家") == "3600"
    assert ">500" in _value_alternatives(">500", "亿元") and "超500" in _value_alternatives(">500", "亿元")
    assert _value_alternatives("3左右", "%") == ["3左右", "3%左右"]


def test_core_titles_and_task_phrases():
    assert _core_title("强化知识产权创造、运用和保护") == "强化知识产权创造"
    assert _core_title("稀土、石墨烯、纳米等新型材料") == "稀土、石墨烯"
    assert _core_title("新医药") == "新医药"
    assert 4 <= len(_core_title("高标准推进苏南自主创新示范区核心区建设，强化高新区创新发展引领地位")) <= 12
    assert _task_phrase("编制战略性新兴产业规划。") == "编制战略性新兴产业规划"
    assert _task_phrase("全市净增高新技术企业150家，有效期内高新技术企业数达650家。") == "全市净增高新技术企业150家"
    assert len(_task_phrase("战略性新兴产业产值占规模以上工业产值的比重比上年提高0.5个百分点。")) <= 20
    assert _task_phrase("制定“校地对接行动计划”（2020－2022），深化密切产学研合作。") == "制定“校地对接行动计划”"


def test_without_ingest_figures_prose_figures_is_left_out_and_refused_by_name(monkeypatch):
    import eval.generate as generate_module
    from eval.generate import GenerateError

    monkeypatch.setattr(generate_module, "_figures_module", lambda: None)
    assert "prose_figures" not in generate_module.available_sets()
    assert "prose_figures" not in generate_module.generate(PLANS, ["tables"])
    with pytest.raises(GenerateError, match="figures"):
        generate_module.generate(PLANS, ["prose_figures"])
