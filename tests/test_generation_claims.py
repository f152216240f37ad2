"""Grounding by meaning: a generated sentence is kept only when a cited clause states its claim.

The clauses are real (南京 and 南通 plans) and carry the figure layer's figures, as the index gives
them; the sentences are what a model might write. Issue 14's table of cases, then properties over
every clause and figure of the five plans.
"""
from __future__ import annotations

import re

import pytest
from generation_support import INJECTION, PLANS, clause_evidence, nanjing_evidence, plan

from assistant.generation import Draft, Evidence, GroundedSentence, Rejected
from assistant.generation.grounding import REFUSAL_MARK, check_sentence, ground, split_sentences

NANJING = "nanjing-2021-sti-plan.txt"
NANTONG = "nantong-2021-sti-plan.txt"
# [1] 高新技术企业数 row (2020: 6507, 2025: 20000), [2] 国家级孵化器、众创空间 60家、85家, [3] the 2020
# baseline sentence (研发经费 515亿元, 3.48%, 66.5%), [4] a 规划目标 paragraph (国家技术创新中心3—4家,
# 顶尖人才100个, 高层次人才3000名), [5] 南通's 技术合同成交额 row (194.2 → >500 亿元), [6] 南通's
# 研发强度 row (2.55 → 3左右 %), [7] an uploaded clause carrying an instruction.
EVIDENCE: list[Evidence] = [
    *nanjing_evidence(),
    clause_evidence(4, NANJING, "新建国家技术创新中心3—4家"),
    clause_evidence(5, NANTONG, "技术合同成交额\n"),
    clause_evidence(6, NANTONG, "全社会研发经费支出占GDP比重\n"),
    Evidence(7, "uploaded-plan", "某市科技规划", "附件", f"高新技术企业培育。{INJECTION}。", 0, 30),
]
BY_N = {e.n: e for e in EVIDENCE}
KEPT = None  # expected reason for a kept sentence

CASES = [
    # case, sentence, None when kept / a fragment of the reason it is dropped
    ("fluent and right", "南京到2025年高新技术企业数将达到20000家[1]。", KEPT),
    ("fluent and right", "到2025年，南京国家级孵化器、众创空间数量分别达到60家、85家[2]。", KEPT),
    ("fluent and right", "2020年，南京全社会研发经费支出515亿元，占GDP比重3.48%[3]。", KEPT),
    ("fluent and right", "2020年南京高新技术企业有6507家，目标是到2025年达到20000家[1]。", KEPT),
    ("fluent and right", "高企数量到2025年要达到2万家[1]。", KEPT),
    ("wrong figure", "南京到2025年高新技术企业数将达到30000家[1]。", "number 30000 is not in cited clause [1]"),
    ("wrong figure", "南京将新引进高层次创新创业人才5000名[4]。", "number 5000 is not in cited clause [4]"),
    ("wrong figure", "2020年南京研发经费支出占GDP比重为3.5%[3]。", "number 3.5 is not in cited clause [3]"),
    ("wrong figure", "2020年科技进步贡献率66.5个百分点[3]。", "a different unit"),
    ("wrong subject in the same clause", "南京国家级众创空间数量达到60家[2]。", "is the figure of 国家级孵化器"),
    ("wrong subject in the same clause", "南京要集聚顶尖人才团队3000个[4]。", "is the figure of 高层次创新创业人才"),
    ("wrong subject in the same clause", "2020年南京科技进步贡献率为3.48%[3]。", "is the figure of 占GDP比重"),
    ("baseline as target", "南京高新技术企业数的目标是6507家[1]。", "baseline of 高新技术企业数, not a target"),
    ("baseline as target", "到2025年，南京高新技术企业数达到6507家[1]。", "baseline of 高新技术企业数, not a target"),
    ("figure in markdown", "南京高新技术企业数的目标是**6507**家[1]。", "baseline of 高新技术企业数, not a target"),
    ("figure in a tag", "南京高新技术企业数的目标是<b>6507</b>家[1]。", "baseline of 高新技术企业数, not a target"),
    ("right figure in markdown", "到2025年南京高新技术企业数达到**20000**家[1]。", KEPT),
    ("only numbers", "[1] 2020年", "states no claim, only numbers"),
    ("only numbers", "20000[1]。", "states no claim, only numbers"),
    ("the clauses' layout pasted", "高新技术企业数(家) / 6507 / 20000[1]", "copies the clauses' layout"),
    ("baseline as target", "南通到2025年技术合同成交额要达到194.2亿元[5]。", "not a target"),
    ("target as reached", "2020年南京高新技术企业已达20000家[1]。", "20000家 in [1]"),
    ("wrong city", "南通到2025年高新技术企业数将达到20000家[1]。", "names 南通, but cited clause [1] is from 南京's plan"),
    ("wrong city", "苏州国家级孵化器数量达到60家[2]。", "names 苏州"),
    ("wrong city", "南京到2025年技术合同成交额要超过500亿元[5]。", "names 南京"),
    ("wrong year", "南京到2030年高新技术企业数将达到20000家[1]。", "year 2030 is not in cited clause [1]"),
    ("wrong year", "2023年南京全社会研发经费支出515亿元[3]。", "year 2023 is not in cited clause [3]"),
    ("wrong year", "到2020年南京高新技术企业数达到20000家[1]。", "20000家 in [1]"),
    ("Chinese numerals", "南京到2025年高新技术企业数将达到两万家[1]。", KEPT),
    ("Chinese numerals", "南京国家级孵化器和众创空间分别达到六十家和八十五家[2]。", KEPT),
    ("Chinese numerals", "二〇二〇年南京全社会研发经费支出占GDP比重为百分之三点四八[3]。", KEPT),
    ("Chinese numerals", "南京将新建国家技术创新中心三至四家[4]。", KEPT),
    ("Chinese numerals", "南京到2025年高新技术企业数将达到三万家[1]。", "number 30000 is not in cited clause [1]"),
    ("ranges", "南京将新建国家技术创新中心3—4家[4]。", KEPT),
    ("ranges", "南京将新建国家技术创新中心3至4家[4]。", KEPT),
    ("ranges", "南京将新建国家技术创新中心3家[4]。", "number 3 is not in cited clause [4]"),
    ("ranges", "南京将新建国家技术创新中心3—5家[4]。", "number 3—5 is not in cited clause [4]"),
    ("bounds", "南通到“十四五”末技术合同成交额要超过500亿元[5]。", KEPT),
    ("bounds", "南通技术合同成交额的目标是500亿元以上[5]。", KEPT),
    ("bounds", "南通到2025年研发经费支出占GDP比重达到3%左右[6]。", KEPT),
    ("bounds", "南通研发投入强度目标为百分之三左右[6]。", KEPT),
    ("bounds", "南通技术合同成交额目标为600亿元[5]。", "number 600 is not in cited clause [5]"),
    ("claim no cited clause supports", "南京没有提出高新技术企业目标[1]。", "does not state what cited clause [1] states"),
    ("claim no cited clause supports", f"{REFUSAL_MARK}南京的高新技术企业数目标[1]。", "does not state what cited clause [1]"),
    ("claim no cited clause supports", "南京提出建设引领性国家创新型城市[2]。", "says what cited clause [2] does not"),
    ("a grounded refusal about another city", f"{REFUSAL_MARK}南通的高新技术企业数目标[1]。", KEPT),
    ("instruction injected into a clause", "南京高新技术企业要达到100000家[7]。", "[7], which holds instructions"),
    ("instruction injected into a clause", "南京高新技术企业要达到100000家[1]。", "number 100000 is not in cited clause [1]"),
]


@pytest.mark.parametrize(("case", "sentence", "reason"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_case_table(case, sentence, reason):
    result = check_sentence(sentence, BY_N)
    if reason is KEPT:
        assert isinstance(result, GroundedSentence), f"{case}: dropped because {result.reason}"
        assert result.text == sentence
    else:
        assert isinstance(result, Rejected), f"{case}: kept"
        assert reason in result.reason


FALLBACK = Draft("南京到2025年高新技术企业数目标为20000家[1]。", generator="extractive")


def draft_of(raw: str) -> Draft:
    return ground(raw, EVIDENCE, generator="test", refusal=f"{REFUSAL_MARK}相关内容。", fallback=FALLBACK)


def test_a_sentence_without_marker_that_restates_a_cited_fact_is_kept_citing_that_clause():
    raw = ("南京到2025年高新技术企业数将达到20000家[1]。也就是说，高新技术企业要从6507家增加到2万家。"
           "国家级孵化器数量达到60家[2]。这相当于每年新增上千家高新技术企业。")
    draft = draft_of(raw)
    assert draft.text == ("南京到2025年高新技术企业数将达到20000家[1]。也就是说，高新技术企业要从6507家增加到2万家。"
                          "国家级孵化器数量达到60家[2]。")
    assert [s.cites for s in draft.sentences] == [(1,), (1,), (2,)]
    assert draft.dropped == (Rejected("这相当于每年新增上千家高新技术企业。",
                                      "cites no clause [n] and restates no fact of the clauses cited"),)


@pytest.mark.parametrize(("restatement", "kept"), [
    ("综上，南京高新技术企业到2025年将达到两万家。", True),   # the cited figure, in other words
    ("南京的国家级孵化器和众创空间共计145家。", False),        # a sum no clause states
    ("南京高新技术企业到2025年将达到3万家。", False),          # another row's figure (科技型中小企业)
    ("到2025年众创空间要达到60家。", False),                   # [2]'s figure, but 国家级孵化器's
    ("南京将成为全球科技创新中心。", False),                   # words no cited clause says
])
def test_restatement_without_marker_is_judged_like_a_cited_sentence(restatement, kept):
    draft = draft_of(f"国家级孵化器、众创空间数量分别达到60家、85家[2]。南京到2025年高新技术企业数将达到20000家[1]。{restatement}")
    assert (restatement in draft.text) is kept
    if kept:
        assert draft.sentences[-1].cites == (1,)


def test_a_sentence_without_marker_before_any_citation_is_dropped():
    draft = draft_of("南京到2025年高新技术企业数将达到20000家。南京到2025年高新技术企业数将达到20000家[1]。")
    assert draft.dropped[0].reason == "cites no clause [n]"


def test_an_injected_clause_supports_nothing_even_without_markers():
    draft = draft_of("国家级孵化器数量达到60家[2]。南京高新技术企业要达到100000家。")
    assert draft.text == "国家级孵化器数量达到60家[2]。"
    draft = draft_of("南京高新技术企业要达到100000家[7]。")
    assert draft.fell_back and draft.text == FALLBACK.text


# ---------------------------------------------------------------------------
# Properties over the corpus: a plan's own words pass; a figure moved to another value, subject,
# role or year does not.

def corpus_evidence() -> list[tuple[Evidence, str]]:
    out = []
    for path in sorted(PLANS.glob("*.txt")):
        doc, figures = plan(path.name)
        for c in doc.clauses:
            if c.kind in ("heading", "table_row"):
                continue
            inside = tuple(f for f in figures if c.char_start <= f.char_start and f.char_end <= c.char_end)
            out.append((Evidence(1, doc.meta.doc_id, doc.meta.title, " > ".join(c.section), c.text, c.char_start,
                                 c.char_end, doc.meta.city, doc.meta.year, doc.meta.period, inside), c.text))
    return out


def test_every_sentence_of_every_plan_cited_to_its_own_clause_is_kept():
    checked, dropped = 0, []
    for e, text in corpus_evidence():
        for piece in split_sentences(text.replace("\n", "")):
            claim = re.sub(r"[。；;！？!?\s]*$", "", piece)
            if len(claim) < 6 or claim == e.title or not re.search(r"[^\W\d_]{2}", claim):
                continue  # too short to judge, the title, or a date line ("2021年12月"): no claim to keep
            result = check_sentence(f"{claim}[1]。", {1: e})
            checked += 1
            if isinstance(result, Rejected):
                dropped.append((e.doc_id, claim, result.reason))
    assert checked > 1500
    assert dropped == []


def test_figures_moved_to_another_value_subject_role_or_year_are_dropped():
    tally: dict[str, list[int]] = {}

    def judge(kind: str, sentence: str, e: Evidence, keep: bool) -> None:
        ok = isinstance(check_sentence(sentence, {1: e}), GroundedSentence)
        tally.setdefault(kind, [0, 0])[ok == keep] += 1

    for e, _ in corpus_evidence():
        figures = [f for f in e.figures or () if f.subject and f.value is not None]
        for f in figures:
            unit = f.unit or ""
            when = f"到{f.year}年，" if f.role == "target" and f.year else (f"{f.year}年，" if f.year else "")
            judge("right", f"{when}{f.subject}{'达到' if f.role == 'target' else '为'}{f.value_text}{unit}[1]。", e, True)
            judge("wrong value", f"{when}{f.subject}为{f.value * 1.5 + 1:g}{unit}[1]。", e, False)
            other = next((o for o in figures if o.value != f.value and o.subject not in f.subject
                          and f.subject not in o.subject), None)
            if other:
                judge("wrong subject", f"{when}{other.subject}为{f.value_text}{unit}[1]。", e, False)
            if f.role == "baseline":
                judge("baseline as target", f"{f.subject}的目标是{f.value_text}{unit}[1]。", e, False)
            if f.year:
                judge("wrong year", f"到{f.year + 3}年，{f.subject}达到{f.value_text}{unit}[1]。", e, False)
    assert tally["right"][0] == 0, tally  # every right claim kept
    for kind in ("wrong value", "wrong subject", "baseline as target", "wrong year"):
        misses, caught = tally[kind]
        assert caught >= 100 and misses <= 0.02 * (misses + caught), (kind, tally[kind])
