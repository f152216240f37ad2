"""How quotes read in answers (issue 19 item 9): whole statements, list items on their own lines,
table rows with their unit, page breaks rejoined — while every citation stays an exact slice.

The synthetic clauses below stand for any plan's layout (a page break inside a word, a long
sentence of comma-pieces, a task table with a name column); the checks over the built index run
over every clause of every shipped plan, so nothing depends on one plan's wording.
"""
from __future__ import annotations

import re

import pytest
from test_assistant_answers import assert_exact, plan_text  # noqa: F401  (fixture)

from assistant.answer import AnswerBuilder
from assistant.composers.windows import along_names, finish, windows
from assistant.evidence import Span, cite, sentences, shown, stops_mid_sentence
from ingest.records import Clause

_SOFT = "，,、：:；;"


def _clause(text: str, start: int = 10, kind: str = "paragraph", **extra) -> tuple[Clause, str]:
    source = "x" * start + text + "。后文"
    return Clause("t", "t#0", ("一、总体",), text, start, start + len(text), kind, **extra), source


def test_a_page_break_inside_a_word_does_not_end_a_sentence():
    clause, source = _clause("参股设立天使投资基金，助力科技型中\n\n小企业转型升级、创新发展。加强股权融资。")
    spans = sentences(clause)
    assert [s.text for s in spans] == ["参股设立天使投资基金，助力科技型中\n\n小企业转型升级、创新发展。", "加强股权融资。"]
    assert shown(spans[0]) == "参股设立天使投资基金，助力科技型中小企业转型升级、创新发展。"
    assert cite(spans[0], source).quote == spans[0].text  # the citation keeps the exact text


def test_a_line_break_between_latin_words_reads_as_a_space():
    clause, _ = _clause("推进 AI\nLab 建设。")
    assert shown(sentences(clause)[0]) == "推进 AI Lab 建设。"


LONG = ("以龙头企业为依托，重点围绕生物药、化学药、中药和新型医疗器械等领域培育产业集群，"
        "大力研发抗肿瘤药、精神类药、肝病用药，推动一批创新药物进入临床，"
        "加快建设国家级创新平台和公共服务平台，形成具有国际竞争力的医药产业高地。")


def test_no_window_ends_on_a_comma_and_a_cut_one_says_so():
    clause, source = _clause(LONG)
    sentence = sentences(clause)[0]
    runs = windows(sentence, 3, 40)
    assert runs and all(w.text[-1] not in _SOFT for w in runs)
    for w in runs:
        assert cite(w, source).quote == w.text
        text = shown(w)
        if w.char_end < sentence.char_end:
            assert stops_mid_sentence(w) and text.endswith("……")
        else:
            assert text.endswith("。")


def test_a_window_is_read_to_its_sentence_end_when_the_rest_is_short():
    clause, source = _clause(LONG)
    sentence = sentences(clause)[0]
    finished = windows(sentence, 3, 40, finish_within=80)
    tail_start = LONG.index("加快建设")
    assert any(w.char_start == clause.char_start + tail_start and w.text.endswith("高地。") for w in finished)
    # a window from the sentence's start would exceed the limit: it stays cut, and says so
    first = [w for w in finished if w.char_start == clause.char_start]
    assert first and all(w.char_end < sentence.char_end and shown(w).endswith("……") for w in first)
    assert all(cite(w, source).quote == w.text for w in finished)


def test_a_list_window_keeps_the_quoted_names_of_its_kind_together():
    """启动“苏科贷”，健全“湖科贷”“区科贷”…: a window from 健全 is read back to 启动 (names ending in 贷), not on to
    pieces without such names; a window quoting no name is kept."""
    text = ("大力开展科技企业普惠信贷工作，降低企业创新成本，启动“苏科贷”，健全“湖科贷”“区科贷”两级风险补偿资金贷款体系，"
            "充分发挥融资路演服务中心作用，丰富科技金融产品")
    clause, source = _clause(text)
    sentence = sentences(clause)[0]
    cut = next(w for w in windows(sentence, 2, 40) if w.text.startswith("健全"))
    along = along_names(cut, sentence)
    assert along.text.startswith("启动“苏科贷”") and along.char_end == cut.char_end, along.text
    assert cite(along, source).quote == along.text
    plain = next(w for w in windows(sentence, 1, 40) if w.text.startswith("降低"))
    assert along_names(plain, sentence) == plain


def test_list_items_stand_on_their_own_lines():
    clause, source = _clause("甲项工作。乙项工作。")
    first, second = sentences(clause)
    builder = AnswerBuilder({"t": source})
    builder.raw("措施包括：")
    builder.item(first.text, first)
    builder.item(second.text, second)
    assert builder.text == "措施包括：\n甲项工作。[1]\n乙项工作。[2]"


def test_a_task_row_is_named_by_its_name_column_and_an_indicator_row_by_its_unit():
    row = "1\t新一代信息技术\t江苏省集成电路重点实验室\t某某股份有限公司"
    clause, _ = _clause(row, kind="table_row", header=("序号", "行业领域", "项目名称", "牵头单位"),
                        cells=("1", "新一代信息技术", "江苏省集成电路重点实验室", "某某股份有限公司"))
    assert shown(sentences(clause)[0]) == "江苏省集成电路重点实验室 — 牵头：某某股份有限公司"
    row = "技术合同成交额\t52.6\t100"
    clause, _ = _clause(row, kind="table_row", header=("指标", "2020年", "2025年"),
                        cells=("技术合同成交额", "52.6", "100"), caption="主要指标（单位：亿元）")
    assert shown(sentences(clause)[0]) == "技术合同成交额（亿元）：2020年 52.6，2025年 100"
    row = "研发投入\t2.5\t3"
    clause, _ = _clause(row, kind="table_row", header=("指标", "“十三五”\n实绩", "“十四五”\n目标"),
                        cells=("研发投入", "2.5", "3"))
    assert shown(sentences(clause)[0]) == "研发投入：“十三五”实绩 2.5，“十四五”目标 3"


def test_no_sentence_of_any_shipped_plan_is_cut_inside_a_word(assistant):
    for clause in assistant.index.clauses:
        if clause.kind in ("paragraph", "box_item"):
            for span in sentences(clause):
                tail = clause.text[span.char_end - clause.char_start:]
                assert not (tail and span.text[-1] not in "。！？；!?;”’」』）)" and re.match(r"\s*\n", tail)), span.text


@pytest.mark.parametrize("question", [
    "南京的重大工程有哪些？", "句容在科技金融方面有哪些举措？", "连云港怎么加强科普能力建设？",
    "南通的知识产权强市建设有哪些举措？", "江阴怎么发展科技服务业？",
])
def test_answers_quote_whole_statements_and_list_items_by_line(assistant, plan_text, question):  # noqa: F811
    answer = assistant.ask(question)
    assert not answer.refused and answer.citations
    assert not re.search(r"[，,、：:]\[\d+\]", answer.text), answer.text  # no quote shown ending on a comma
    assert not re.search(r"。\[\d+\]；", answer.text), answer.text  # items are lines, not "。[1]；"
    assert "\n\n" not in answer.text.replace("|\n\n", "")  # a page break inside a word is not shown
    for c in answer.citations:
        assert c.quote[-1] not in "，,、：:", c.quote
    assert_exact(answer, plan_text)


class _OneParagraph:
    """A made-up plan of one paragraph and one row: what the sources panel reads."""

    def __init__(self, text: str):
        from ingest.records import DocumentMeta

        self.docs = {"t": DocumentMeta(doc_id="t", city="甲市", title="甲市规划")}
        cut = text.index("\n")
        self.clauses = [Clause("t", "t#0", ("一、总体",), text[:cut], 0, cut, "paragraph"),
                        Clause("t", "t#1", ("一、总体",), text[cut + 1:], cut + 1, len(text), "paragraph")]
        self.headings = {}

    def clause_ids_of(self, doc_id):
        return [0, 1] if doc_id == "t" else []

    def neighbours(self, clause, before=1, after=1):
        return self.clauses


def test_the_sources_panel_shows_each_clause_once_with_every_quote_marked():
    from assistant import Answer, Citation
    from webui import render

    text = "甲项工作。乙项工作。丙项工作。\n另一条。"
    index = _OneParagraph(text)

    def cited(quote):
        start = text.index(quote)
        return Citation(doc_id="t", section="一、总体", quote=quote, char_start=start, char_end=start + len(quote))

    answer = Answer("甲[1]乙[2]另[3]丙[4]", [cited("甲项工作。"), cited("乙项工作。"), cited("另一条。"), cited("丙项工作。")], False, [])
    panel = render.sources_html(answer, index)
    assert panel.count('class="pq-source"') == 2  # one card per clause, not one per citation
    assert "[1][2][4]" in panel and "[3]" in panel
    assert '<div class="pq-clause"><mark>甲项工作。</mark><mark>乙项工作。</mark>丙项工作。' not in panel
    assert "<mark>甲项工作。乙项工作。</mark><mark>丙项工作。</mark>" not in panel
    card = panel[panel.index("[1][2][4]"):]
    assert "<mark>甲项工作。乙项工作。丙项工作。</mark>" in card  # adjacent quotes merge into one mark
    assert "字符 0–5，5–10，10–15" in card
