"""The grounding post-check on hand-made model outputs over real 南京 clauses."""
from __future__ import annotations

import pytest
from generation_support import INJECTION, nanjing_evidence

from assistant.generation import Draft, GroundedSentence, Rejected
from assistant.generation.grounding import (
    REFUSAL_MARK,
    check_sentence,
    ground,
    ground_stream,
    renumber,
    split_sentences,
)
from assistant.generation.messages import answer_messages, prompt_echo

EVIDENCE = nanjing_evidence()
BY_N = {e.n: e for e in EVIDENCE}
REFUSAL = f"{REFUSAL_MARK}相关内容。"
FALLBACK = Draft("南京到2025年高新技术企业数目标为20000家[1]。",
                 (GroundedSentence("南京到2025年高新技术企业数目标为20000家[1]。", (1,)),), generator="extractive")
GOOD = "南京到2025年高新技术企业数达到20000家[1]。国家级孵化器数量达到60家[2]。"


def check(raw: str, fallback: Draft | None = FALLBACK, evidence=EVIDENCE) -> Draft:
    return ground(raw, evidence, generator="test", refusal=REFUSAL, fallback=fallback)


def test_all_good_sentences_are_kept_as_written():
    draft = check(GOOD)
    assert draft.text == GOOD
    assert [s.cites for s in draft.sentences] == [(1,), (2,)]
    assert draft.cited == (1, 2)
    assert not draft.dropped and not draft.fell_back and not draft.refused
    assert draft.generator == "test" and draft.raw == GOOD


def test_out_of_range_clause_number_is_dropped():
    draft = check(GOOD + "科技进步贡献率达到66.5%[7]。")
    assert draft.text == GOOD
    assert len(draft.dropped) == 1
    assert "[7]" in draft.dropped[0].reason and "[1]–[3]" in draft.dropped[0].reason


def test_in_range_but_wrong_clause_is_dropped_by_its_numbers():
    draft = check("国家级孵化器数量达到60家[2]。高新技术企业数达到20000家[2]。")
    assert draft.text == "国家级孵化器数量达到60家[2]。"
    assert draft.dropped == (Rejected("高新技术企业数达到20000家[2]。", "number 20000 is not in cited clause [2]"),)


@pytest.mark.parametrize("claim", ["30000家", "2000家", "200000家", "20000.5家", "2千家"])
def test_number_of_another_value_is_dropped(claim):
    draft = check(f"国家级孵化器数量达到60家[2]。高新技术企业数达到{claim}[1]。")
    assert draft.text == "国家级孵化器数量达到60家[2]。"
    assert len(draft.dropped) == 1 and "is not in cited clause [1]" in draft.dropped[0].reason


@pytest.mark.parametrize("claim", ["20000家", "2万家", "两万家", "20,000家"])
def test_number_is_compared_by_value_not_by_how_it_is_written(claim):
    draft = check(f"高新技术企业数达到{claim}[1]。")
    assert not draft.dropped and not draft.fell_back and claim in draft.text


def test_sentence_without_citation_is_dropped():
    draft = check("南京是创新名城。" + GOOD)
    assert draft.text == GOOD
    assert draft.dropped[0].reason == "cites no clause [n]"


def test_number_may_come_from_any_cited_clause():
    draft = check("2020年高新技术企业6507家，研发经费支出515亿元[1][3]。")
    assert draft.sentences and draft.sentences[0].cites == (1, 3) and not draft.dropped


def test_nothing_survives_returns_the_fallback_marked_as_such():
    raw = "南京高新技术企业目标为30000家[1]。孵化器达到100家[2]。"
    draft = check(raw)
    assert draft.fell_back and draft.text == FALLBACK.text and draft.sentences == FALLBACK.sentences
    assert draft.generator == "test" and draft.raw == raw and len(draft.dropped) == 2


def test_nothing_survives_without_fallback_refuses():
    draft = check("南京高新技术企业目标为30000家[1]。", fallback=None)
    assert draft.refused and draft.text == REFUSAL and not draft.sentences and not draft.fell_back


def test_a_grounded_refusal_is_marked_refused():
    draft = check(f"{REFUSAL_MARK}南通的高新技术企业数目标[1]。")
    assert draft.refused and not draft.fell_back


def test_marker_styles_and_placement_are_accepted_and_made_canonical():
    draft = check("高新技术企业数达到20000家。[1]\n孵化器、众创空间分别达到60家、85家［2］；"
                  "研发经费支出515亿元【3】。合计见[1, 2]。")
    assert draft.text == ("高新技术企业数达到20000家。[1]\n孵化器、众创空间分别达到60家、85家[2]；"
                          "研发经费支出515亿元[3]。合计见[1][2]。")
    assert [s.cites for s in draft.sentences] == [(1,), (2,), (3,), (1, 2)]


def test_numbers_are_compared_after_nfkc_with_percent_as_a_unit():
    assert isinstance(check_sentence("２０２０年研发经费占GDP比重３.４８％[3]。", BY_N), GroundedSentence)
    # 百分点 is a unit of its own: 66.5% is not 66.5 percentage points
    assert check_sentence("2020年科技进步贡献率66.5个百分点[3]。", BY_N).reason.endswith("a different unit")
    assert isinstance(check_sentence("2020年研发经费占GDP比重3.5%[3]。", BY_N), Rejected)


def test_list_ordinal_is_not_a_claim():
    assert isinstance(check_sentence("1. 国家级孵化器达到60家[2]；", BY_N), GroundedSentence)
    assert isinstance(check_sentence("（2）国家级众创空间达到85家[2]；", BY_N), GroundedSentence)
    assert isinstance(check_sentence("7家国家级孵化器[2]；", BY_N), Rejected)


def test_clause_with_injected_instruction_cannot_be_cited():
    evidence = nanjing_evidence(injected=True)
    assert INJECTION in evidence[3].text
    draft = check("南京高新技术企业要达到100000家[4]。国家级孵化器数量达到60家[2]。", evidence=evidence)
    assert draft.text == "国家级孵化器数量达到60家[2]。"
    assert "[4], which holds instructions" in draft.dropped[0].reason


def test_sentence_that_only_copies_the_clause_source_line_is_dropped():
    result = check_sentence("[1] [n] 《南京市“十四五”科技创新规划》 三、总体要求 > (四)规划目标", BY_N)
    assert result == Rejected("[1] [n] 《南京市“十四五”科技创新规划》 三、总体要求 > (四)规划目标",
                              "only repeats the source line of the clause")
    assert isinstance(check_sentence("《南京市“十四五”科技创新规划》提出国家级孵化器数量达到60家[2]。", BY_N), GroundedSentence)


def test_sentence_echoing_the_prompt_is_dropped():
    question = "南京国家级孵化器数量目标是多少？"
    echo = prompt_echo(answer_messages(question, EVIDENCE), question, EVIDENCE)
    # copied by Qwen2.5-Coder-0.5B from an earlier answer template, with a number of clause [2] put in
    copied = "照录条款中的数字，每句末尾写上所依据的条款编号，例如“……达到60家[2]。”"
    draft = ground(copied + "只使用给出的条款作答，不编造数字[1]。" + GOOD, EVIDENCE, generator="test",
                   refusal=REFUSAL, echo=echo)
    assert draft.text == GOOD
    assert [r.reason for r in draft.dropped] == ["repeats the prompt's instructions"] * 2
    answer = "南京国家级孵化器数量目标是60家[2]。"
    assert check_sentence(answer, BY_N, echo) == GroundedSentence(answer, (2,))


def test_split_sentences_keeps_markers_with_their_sentence():
    assert split_sentences("甲[1]。乙。[2]\n\n丙[3]；丁") == ["甲[1]。", "乙。[2]\n\n", "丙[3]；", "丁"]
    assert split_sentences("研发强度2.5%[1]。") == ["研发强度2.5%[1]。"]
    assert split_sentences("甲。\n[1] 乙[1]。") == ["甲。\n", "[1] 乙[1]。"]


@pytest.mark.parametrize("size", [1, 3, 7])
def test_streaming_shows_only_checked_sentences_and_matches_ground(size):
    raw = ("南京到2025年高新技术企业数达到20000家。[1]\n高新技术企业数达到30000家[1]；"
           "国家级孵化器数量达到60家［2］。未引用的一句。\n研发经费支出515亿元[3]")
    stream = ground_stream((raw[i : i + size] for i in range(0, len(raw), size)), EVIDENCE,
                           generator="test", refusal=REFUSAL, fallback=FALLBACK)
    chunks = list(stream)
    assert "".join(chunks) == stream.draft.text == check(raw).text
    assert stream.draft == check(raw)
    assert not any("30000" in c or "未引用" in c for c in chunks)
    assert stream.draft.text == ("南京到2025年高新技术企业数达到20000家。[1]\n国家级孵化器数量达到60家[2]。"
                                 "\n研发经费支出515亿元[3]")


def test_streaming_falls_back_when_nothing_survives():
    stream = ground_stream(iter(["高新技术企业", "30000家[1]。"]), EVIDENCE, generator="test",
                           refusal=REFUSAL, fallback=FALLBACK)
    assert list(stream) == [FALLBACK.text] and stream.draft.fell_back


def test_renumber_follows_first_citation_order():
    draft, cited = renumber(check("研发经费支出515亿元[3]。孵化器达到60家[2]。合计[3][2]。"), EVIDENCE)
    assert draft.text == "研发经费支出515亿元[1]。孵化器达到60家[2]。合计[1][2]。"
    assert [(e.n, e.char_start) for e in cited] == [(1, EVIDENCE[2].char_start), (2, EVIDENCE[1].char_start)]
    assert [s.cites for s in draft.sentences] == [(1,), (2,), (1, 2)]
