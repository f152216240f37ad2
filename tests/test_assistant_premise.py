"""Premises that state a qualifier the plan contradicts (assistant/composers/premise.py).

Built from each shipped plan's own wording: a thing a plan calls 唯一 asked as "三个…之一", and a thing a
plan qualifies as 省级 asked as 国家…, are refused with the plan's wording quoted; the plan's own wording
is never refused as a false premise.
"""
from __future__ import annotations

import re

import pytest

from assistant.composers.premise import MIN_NAME


def _wordings(assistant, pattern: str) -> list[tuple[str, str, str]]:
    """(city, qualifier, name) a plan writes, the name MIN_NAME+ characters of one run of Chinese."""
    out = []
    for doc_id, meta in assistant.index.docs.items():
        text = assistant.index.source(doc_id)
        for m in re.finditer(pattern, text):
            name = m.group(2)
            if len(name) >= MIN_NAME:
                out.append((meta.city, m.group(1), name))
    return out


def test_one_of_many_is_refused_where_the_plan_says_only(assistant):
    found = _wordings(assistant, r"(唯一的?)([\u4e00-\u9fff]{4,14}?(?:城市|基地|平台|试点|园区))")
    assert found, "no plan writes 唯一 before a name"
    for city, _, name in found:
        answer = assistant.ask(f"{city}作为全国三个{name}之一，有什么安排？")
        assert answer.refused and "唯一" in answer.text and answer.citations, answer.text
        own = assistant.ask(f"{city}作为全国唯一的{name}，有什么安排？")
        assert not (own.refused and "规划写的是" in own.text), own.text


def test_another_level_is_refused_and_the_plans_own_level_is_not(assistant):
    found = _wordings(assistant, r"(省级)([\u4e00-\u9fff]{4,12}?(?:示范区|园区|中心|基地))")
    assert found, "no plan writes 省级 before a name"
    refused = 0
    for city, level, name in found:
        own = assistant.ask(f"{city}建设{level}{name}有什么安排？")
        assert not (own.refused and "规划写的是" in own.text), own.text
        other = assistant.ask(f"{city}建设市级{name}有什么安排？")
        if other.refused and "规划写的是" in other.text:
            assert "省级" in other.text and other.citations
            refused += 1
    assert refused, "no 省级 name asked as 市级 was refused"


def test_a_count_the_plan_states_otherwise_is_refused_and_its_own_count_is_not(assistant):
    found = _wordings(assistant, r"(?<![\d.\-－至])(\d{1,2})个([\u4e00-\u9fff]{4,10}?(?:高新区|园区|分园|基地|中心))")
    assert found, "no plan counts a named kind of place"
    refused = 0
    for city, count, noun in found[:8]:
        own = assistant.ask(f"{city}有{count}个{noun}吗？")
        assert not (own.refused and "规划写的是" in own.text), own.text
        wrong = assistant.ask(f"{city}有{int(count) + 7}个{noun}，分别是哪些？")
        if wrong.refused and "规划写的是" in wrong.text:
            assert f"{count}个" in wrong.text and wrong.citations, wrong.text
            refused += 1
    assert refused, "no count the plan states otherwise was refused"


def test_a_range_or_a_row_that_holds_the_stated_count_keeps_the_question(monkeypatch):
    from assistant.composers import premise
    from assistant.composers.premise import _count_contradiction, _level_contradiction

    monkeypatch.setattr(premise, "_sentence", lambda clause, wording: (clause, wording))

    texts = [("c1", "力争新增1家独角兽企业，培育1-2家潜在独角兽企业。"), ("c2", "建成新型研发机构2－3家。")]
    joined = "\n".join(t for _, t in texts)
    assert _count_contradiction("新增2家潜在独角兽企业吗", texts, joined, []) is None
    assert _count_contradiction("要建3家新型研发机构", texts, joined, []) is None
    assert _count_contradiction("哪两家独角兽企业", texts, joined, []) is None  # asked, not stated
    # the level of a named instance is read where the plan writes the instance, not in a generic heading
    texts = [("c1", "加快推进重大科技基础设施建设"), ("c2", "推进燃气轮机试验装置国家重大科技基础设施项目建设")]
    joined = "\n".join(t for _, t in texts)
    assert _level_contradiction("省级重大科技基础设施有哪些", texts, joined) is None
    found = _level_contradiction("省级重大科技基础设施燃气轮机试验装置怎么推进", texts, joined)
    assert found is not None and found.written == "国家重大科技基础设施" and found.span[0] == "c2"
    texts = [("c1", "目前拥有1个国家级高新区，3个省级高新区")]
    found = _count_contradiction("有两个国家级高新区", texts, texts[0][1], [])
    assert found is not None and found.written == "1个国家级高新区"


def test_a_level_said_of_a_name_is_held_against_the_levels_the_plan_writes(monkeypatch):
    from assistant.composers import premise

    monkeypatch.setattr(premise, "_sentence", lambda clause, wording: (clause, wording))
    texts = [("c1", "加快建设省级农高区。"), ("c2", "农高区涉农企业160家"), ("c3", "争创国家级示范新区")]
    joined = "\n".join(t for _, t in texts)
    found = premise._predicative_level("农高区已经是国家级的了吧", texts, joined)
    assert found is not None and found.written == "省级农高区" and found.span[0] == "c1"
    assert premise._predicative_level("示范新区已经是国家级的了吧", texts, joined).written == "争创国家级示范新区"  # only an aim
    texts.append(("c4", "国家级农高区建设成效明显"))
    assert premise._predicative_level("农高区已经是国家级的了吧", texts, joined + "\n国家级农高区") is None


def test_a_unit_the_task_does_not_name_is_refused_as_its_lead(assistant):
    """For a task the plans name units for: asking whether a unit they do not list leads it is refused with theirs."""
    checked = 0
    for doc_id, meta in assistant.index.docs.items():
        answer = assistant.ask(f"{meta.city}的科技金融任务由哪些单位负责？")
        if answer.refused or "责任单位" not in answer.text:
            continue
        units = answer.text
        stranger = next(u for u in ("市体育局", "市文旅局", "市气象局") if u[1:] not in units)
        wrong = assistant.ask(f"{meta.city}的科技金融任务由{stranger}负责吗？")
        assert wrong.refused and stranger in wrong.text and "规划写的是" in wrong.text and wrong.citations, wrong.text
        named = next(u for u in ("市科技局", "市财政局", "市工信局") if u[1:] in units)
        right = assistant.ask(f"{meta.city}的科技金融任务由{named}负责吗？")
        assert not right.refused, right.text
        checked += 1
    assert checked, "no plan names the units of a 科技金融 task"


def test_who_leads_the_plan_itself_is_the_plans_own_sentence_or_a_refusal(assistant):
    from assistant.lexicon import rule

    lead = rule("plan_lead")
    stated = 0
    for doc_id, meta in assistant.index.docs.items():
        answer = assistant.ask(f"{meta.city}这个科创规划由哪个部门牵头实施？")
        if lead.search(assistant.index.source(doc_id)):
            assert not answer.refused and lead.search(answer.text) and answer.citations[0].doc_id == doc_id, answer.text
            # asked as a follow-up after a question about the plan's period and its safeguards
            then = assistant.ask("谁牵头组织实施？", [f"{meta.city}十四五科技创新规划有哪些保障措施？"])
            assert lead.search(then.text) and then.citations[0].doc_id == doc_id, then.text
            # asked of the leading body in other words ("哪个机构来领导实施")
            for verb in ("领导实施", "统筹组织实施"):
                other = assistant.ask(f"{meta.city}这个科技规划由哪个机构来{verb}？")
                assert lead.search(other.text) and other.citations[0].doc_id == doc_id, other.text
            stated += 1
        else:
            assert answer.refused, answer.text
    assert stated, "no plan says who leads carrying it out"


def test_a_built_claim_needs_words_of_building_and_a_rough_count_is_held_to_its_share(monkeypatch):
    from assistant.composers import premise

    monkeypatch.setattr(premise, "_sentence", lambda clause, wording: (clause, wording))
    monkeypatch.setattr(premise, "sentences", lambda clause: [type("S", (), {"text": clause, "clause": clause})()])
    texts = [("X试验装置成功落户本市。", "X试验装置成功落户本市。"), ("推进X试验装置项目建设，2025年基本完成建设工程。",
                                                      "推进X试验装置项目建设，2025年基本完成建设工程。")]
    joined = "\n".join(t for _, t in texts)
    # 落户 says where it is, not that it is built; "推进…建设" says it is being built
    found = premise._status_contradiction("X试验装置这个装置已经建成投用了吧", texts, joined)
    assert found is not None and found.written.startswith("推进")
    assert premise._status_contradiction("X试验装置已经落地了吧", texts, joined) is None  # 落户 bears out 落地
    texts = [("c1", "将83个科技园区整合设立成15个高新园区")]
    assert premise._count_contradiction("是由50来个科技园区整合的吧", texts, texts[0][1], []).written.startswith("83个")
    assert premise._count_contradiction("是由80多个科技园区整合的吧", texts, texts[0][1], []) is None


def test_a_followups_premise_is_read_with_the_conversations_subject(assistant):
    """"这个实验室已经建成了吧？" after a question naming a lab a plan writes as 筹建…: refused with the plan's words."""
    found = 0
    for doc_id, meta in assistant.index.docs.items():
        for m in re.finditer(r"筹建([\u4e00-\u9fff]{4,12}(?:实验室|研究院|中心))", assistant.index.source(doc_id)):
            name = m.group(1)
            answer = assistant.ask("这个已经建成运行了吧？", [f"{name}是以哪个单位为主体的？"])
            if answer.refused and "筹" in answer.text:
                found += 1
    assert found, "no 筹建 name refused as built"


def test_a_lead_stated_in_any_words_is_held_against_the_tasks_own(assistant):
    """"…是某某集团牵头的吧？" for every task row of the plans: a company no row names is refused with the plan's
    lead unit quoted (for most rows; a few short rows are matched to a neighbouring task's units, still refused),
    and the row's own lead unit is never refused."""
    checked = quoted = 0
    for t in assistant.index.tasks:
        if not t.lead_units or len(t.target) > 30:
            continue
        city = assistant.index.docs[t.doc_id].city.removesuffix("市")
        stranger = assistant.ask(f"{city}的{t.target}是远洋重工集团牵头的吧？")
        assert stranger.refused and "远洋重工集团" in stranger.text, (t.target, stranger.text)
        quoted += t.lead_units[0][:4] in stranger.text
        own = assistant.ask(f"{city}的{t.target}是{t.lead_units[0]}牵头的吧？")
        assert not own.refused, (t.target, own.text)
        checked += 1
    assert checked >= 10 and quoted >= 0.8 * checked, (checked, quoted)


def test_a_built_claim_before_the_name_is_read_too(monkeypatch):
    """"已经建成X了吧" names X after the claim: held against the plan's 创建/争创 as "X已经建成" is."""
    from assistant.composers import premise

    monkeypatch.setattr(premise, "sentences", lambda clause: [type("S", (), {"text": clause, "clause": clause})()])
    texts = [("积极创建省级农业高新技术产业示范区。", "积极创建省级农业高新技术产业示范区。")]
    found = premise._status_contradiction("句容已经建成省级农业高新技术产业示范区了，后面怎么提升", texts, texts[0][1])
    assert found is not None and found.written == "创建省级农业高新技术产业示范区"
    texts = [("省级农业高新技术产业示范区建成投用。", "省级农业高新技术产业示范区建成投用。")]
    assert premise._status_contradiction("句容已经建成省级农业高新技术产业示范区了吧", texts, texts[0][1]) is None


def test_a_level_and_kind_the_plan_writes_only_as_an_aim_is_no_status(monkeypatch):
    """"临港开发区现在已经是国家级经开区了吧" where the plan writes 国家级经开区 only as an aim (以…为目标, 三年内创成…):
    refused with the aim's words; a plan that calls something a 国家级经开区 keeps the question."""
    from assistant.composers import premise

    monkeypatch.setattr(premise, "sentences", lambda clause: [type("S", (), {"text": clause, "clause": clause})()])
    texts = [("以国家级经开区为目标，全面提升临港开发区创新能级。", "以国家级经开区为目标，全面提升临港开发区创新能级。"),
             ("区域创新能力显著提升，三年内，创成国家级经开区。", "区域创新能力显著提升，三年内，创成国家级经开区。")]
    joined = "\n".join(t for _, t in texts)
    found = premise._predicative_level("临港开发区现在已经是国家级经开区了吧", texts, joined)
    assert found is not None and found.written == "以国家级经开区为目标", found
    texts.append(("临港开发区于2019年获批国家级经开区。", "临港开发区于2019年获批国家级经开区。"))
    joined = "\n".join(t for _, t in texts)
    assert premise._predicative_level("临港开发区现在已经是国家级经开区了吧", texts, joined) is None


def _one_sentence_clauses(monkeypatch, premise, *texts):
    """Clauses that are their own text and one sentence each (the premise checks read (clause, plain text) pairs)."""
    monkeypatch.setattr(premise, "sentences", lambda clause: [type("S", (), {"text": clause, "clause": clause})()])
    pairs = [(t, t) for t in texts]
    return pairs, "\n".join(texts)


def test_a_thing_said_to_be_what_the_plan_only_aims_at_is_refused(monkeypatch):
    """"X已经是Y了吧" where the plan writes Y, in a clause with X, only as an aim (争创Y); a plan calling something Y keeps it."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "把“示范药港”打造成产业高地，争创首次进口药品口岸。")
    found = premise._predicative_aim("示范药港已经是首次进口药品口岸了吧", texts, joined)
    assert found is not None and found.written == "争创首次进口药品口岸", found
    assert premise._predicative_aim("别的港区已经是首次进口药品口岸了吧", texts, joined) is None  # not written together
    texts, joined = _one_sentence_clauses(monkeypatch, premise, "把“示范药港”打造成产业高地，争创首次进口药品口岸。",
                                          "某港区已获批首次进口药品口岸。")
    assert premise._predicative_aim("示范药港已经是首次进口药品口岸了吧", texts, joined) is None


def test_a_year_claimed_for_an_event_the_plan_dates_otherwise_is_refused(monkeypatch):
    """The plan dates approval 2015 and acceptance 2019: "2019年获批…吧" is refused with the 2015 approval quoted, the
    plan's own dates are kept, and a question that asks rather than confirms is left alone."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(
        monkeypatch, premise, "2015年，以甲县为核心的示范农业科技园区获得科技部批准建设，2019年8月顺利通过科技部验收。")
    found = premise._year_contradiction("甲县那个示范农业科技园区是2019年才获批建设的吧", texts, joined)
    assert found is not None and found.written.startswith("2015年") and found.written.endswith("批准"), found
    found = premise._year_contradiction("示范农业科技园区是2015年通过验收的吧", texts, joined)
    assert found is not None and found.written.startswith("2019年") and found.written.endswith("验收"), found
    assert premise._year_contradiction("示范农业科技园区是2015年获批的吗", texts, joined) is None
    assert premise._year_contradiction("示范农业科技园区是2019年通过验收的吧", texts, joined) is None
    assert premise._year_contradiction("示范农业科技园区2019年获批后做了什么", texts, joined) is None  # no confirmation asked


def test_a_detail_of_a_restated_count_the_plan_does_not_break_down_is_not_given(monkeypatch):
    """A count restated from the plan and a part of it or what they are asked: refused, saying what the plan gives,
    unless the plan's sentence goes on to give the detail (其中…, a list) or names what it counts (A、B等3家)."""
    from assistant.composers import premise

    texts, _ = _one_sentence_clauses(monkeypatch, premise, "建设覆盖全国40个左右城市的大规模通用试验设施。",
                                     "到2025年，力争新增1家独角兽企业，培育1-2家潜在独角兽企业。",
                                     "建成省级以上企业研发机构625家（其中国家级12家）。", "引进甲公司、乙公司等2家龙头企业。")
    found = premise._detail_not_given("试验设施要覆盖40个左右城市,其中江苏省内有几个?", texts)
    assert found is not None and found.gives_no and found.written == "40个左右城市", found
    found = premise._detail_not_given("要新增的那1家独角兽企业,是哪个行业的?", texts)
    assert found is not None and found.gives_no and found.written == "1家独角兽企业", found
    assert premise._detail_not_given("建成的625家省级以上企业研发机构,其中国家级几家?", texts) is None
    assert premise._detail_not_given("引进的2家龙头企业分别是哪些?", texts) is None
    assert premise._detail_not_given("要覆盖30个城市,其中江苏省内有几个?", texts) is None  # not the plan's count
    assert premise._detail_not_given("试验设施覆盖多少个城市?", texts) is None  # no count stated
    assert premise._detail_not_given("新增的1家独角兽企业,牵头单位是哪个?", texts) is None  # asked of something else


def test_a_detail_not_given_is_read_through_a_modifier_and_a_frame(monkeypatch):
    """"3—5个具有…基础的大学创新港": a 的-phrase between the plan's count and its noun; "…，规划说是哪个行业": frame words
    between the restated count and the detail asked. Refused; a plan that names them keeps the question."""
    from assistant.composers import premise

    texts, _ = _one_sentence_clauses(monkeypatch, premise, "建设3—5个具有高水平学科基础的大学创新港,形成四区融合综合体。",
                                     "到2025年，力争新增1家独角兽企业，培育1-2家潜在独角兽企业。",
                                     "建设2个依托甲大学的大学科技园（甲大学科技园、乙大学科技园）。")
    found = premise._detail_not_given("要建3到5个大学创新港,具体是依托哪几所大学?", texts)
    assert found is not None and found.gives_no and found.written.endswith("大学创新港"), found
    found = premise._detail_not_given("那1家独角兽企业,规划说是哪个行业?", texts)
    assert found is not None and found.written == "1家独角兽企业", found
    assert premise._detail_not_given("要建的2个大学科技园,具体是哪几个?", texts) is None  # the plan names them


def test_an_aim_the_plan_gives_another_zone_is_refused_for_the_asked_zone(monkeypatch):
    """"甲高新区三年内创成国家级经开区" where the plan writes that aim only under a heading about 乙港开发区: refused, naming
    the zone the plan gives it to; asked of that zone, or where the asked zone is written beside the aim, it is kept."""
    from assistant.composers import premise

    class Clause(str):
        section = ("重点任务", "12．以国家级经开区为目标，全面提升乙港开发区创新能级")

    aim = Clause("到2022年研发投入占比达4.4%以上。区域创新能力显著提升，三年内，创成国家级经开区。")
    other = Clause("甲高新区全国排名上升5位。")
    monkeypatch.setattr(premise, "sentences", lambda clause: [type("S", (), {"text": s + "。", "clause": clause})()
                                                              for s in clause.split("。") if s])
    texts = [(aim, premise._plain(aim)), (other, premise._plain(other))]
    joined = "\n".join(t for _, t in texts)
    found = premise._aim_owner("听说甲高新区三年内创成国家级经开区,是这样吗?", texts, joined)
    assert found is not None and found.written.startswith("乙港开发区") and "创成国家级经开区" in found.written, found
    assert premise._aim_owner("乙港开发区三年内创成国家级经开区,有哪些目标?", texts, joined) is None
    beside = Clause("甲高新区三年内创成国家级经开区。")
    texts.append((beside, premise._plain(beside)))
    assert premise._aim_owner("甲高新区三年内创成国家级经开区,是这样吗?", texts, joined + "\n" + beside) is None


def test_a_level_said_with_is_is_held_against_the_level_the_plan_gives_beside_the_name(monkeypatch):
    """"X是省级Y吧" where the plan's sentences with X give Y only another level (国家Y): refused; the plan's level, or a
    sentence giving Y both levels, keeps the question."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "甲型试验装置成功落户本市，成为全省两个国家重大科技基础设施之一。")
    found = premise._said_level("本市的甲型试验装置是省级重大科技基础设施吧", texts, joined)
    assert found is not None and found.written == "国家重大科技基础设施", found
    assert premise._said_level("甲型试验装置是国家重大科技基础设施吗", texts, joined) is None
    texts, joined = _one_sentence_clauses(monkeypatch, premise, "全市拥有1个国家级高新区，3个省级高新区，乙市高新区获批试点。")
    assert premise._said_level("乙市高新区是省级高新区吧", texts, joined) is None


def test_a_rank_the_plan_states_otherwise_is_refused(monkeypatch):
    """"…排第2吧" where the plan's sentence ranks the same thing 第4位: refused with the plan's rank; its own rank, a
    question that asks rather than confirms, and a rank the plan does not give (第一方阵) are kept."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "在2020年创新型城市排行榜中，甲市名列全国第4位。",
                                          "乙区排名列国家级园区第一方阵。")
    found = premise._rank_contradiction("甲市在创新型城市排行榜里排第2吧", texts, joined)
    assert found is not None and found.written == "第4位", found
    assert premise._rank_contradiction("甲市在创新型城市排行榜里名列第四吧", texts, joined) is None
    assert premise._rank_contradiction("甲市在创新型城市排行榜里排第几", texts, joined) is None
    assert premise._rank_contradiction("乙区在国家级园区里排第一吧", texts, joined) is None


def test_a_grouping_label_the_plan_never_lists_is_not_given(monkeypatch):
    """"“3+1+1”产业体系具体是哪几个产业" where the plan writes the label without its members: refused, quoting the label's
    wording; a label listed before it (A、B等“1+3”产业领域) or opened after it (“1+N”(…)) keeps the question."""
    from assistant.composers import premise

    texts, _ = _one_sentence_clauses(monkeypatch, premise, "按照一区五园布局，构建3+1+1产业体系和军民融合高端发展。",
                                     "围绕农产品精深加工、优质稻麦等1+3产业领域，加大攻关。",
                                     "构筑1+N(某学院+N家研究所)组团式创新发展空间体系。")
    found = premise._grouping_not_listed("高新区的3+1+1产业体系具体是哪几个产业?", texts)
    assert found is not None and found.gives_no and found.written == "构建3+1+1产业体系和军民融合高端发展", found
    assert premise._grouping_not_listed("1+3产业领域具体是哪些?", texts) is None
    assert premise._grouping_not_listed("1+N是哪些单位?", texts) is None
    assert premise._grouping_not_listed("3+1+1产业体系是什么时候提出的?", texts) is None  # no members asked


def test_an_event_the_plan_never_dates_is_not_given(monkeypatch):
    """"甲核电站三期工程哪一年建成投运" where every clause naming it states no time: the plan does not date it. A clause that
    dates anything, a question naming a second thing, or no event asked keeps the question."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "推进甲核电站三期工程建设，支持核电国际合作。",
                                          "推进乙试验装置建设，2025年基本完成建设工程。", "建设丙大科学装置。",
                                          "加快推进大科学装置建设。")
    found = premise._undated_event("甲核电站三期工程,规划里说哪一年建成投运?", texts, joined)
    assert found is not None and found.gives_no == "时间" and found.written == "甲核电站三期工程", found
    assert premise._undated_event("乙试验装置什么时候建成?", texts, joined) is None  # dated
    assert premise._undated_event("甲核电站三期工程有哪些内容?", texts, joined) is None  # no time asked
    assert premise._undated_event("乙试验装置那个大科学装置什么时候建成?", texts, joined) is None  # which thing?


def test_an_aim_claimed_at_another_level_is_refused(monkeypatch):
    """"甲实验室目标是争创省级实验室" where the plan writes the name only beside 国家实验室: the aim's level is the
    plan's; the asked level itself, or a plan that writes it, keeps the question."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "支持甲实验室争创国家实验室。", "乙实验室建设省级实验室。")
    found = premise._said_level("甲实验室目标是争创省级实验室，对吗", texts, joined)
    assert found is not None and found.written == "国家实验室", found
    assert premise._said_level("甲实验室的目标是争创国家实验室吗", texts, joined) is None
    assert premise._said_level("乙实验室目标是争创省级实验室吧", texts, joined) is None


def test_a_top_n_rank_the_plan_states_otherwise_is_refused_even_when_asked_on(monkeypatch):
    """"乙高新区要冲进全国前20位，靠哪些举措" where the plan writes 进入全国前40位: a premise, asked on or confirmed; the
    plan's own rank, and a rank of the other form (第20位 against 前40位), keep the question."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "到2025年，乙高新区排名进入全国前40位。")
    found = premise._rank_contradiction("乙高新区要冲进全国前20位，具体靠哪些举措", texts, joined)
    assert found is not None and found.written == "前40位", found
    assert premise._rank_contradiction("乙高新区要进入全国前40位，具体靠哪些举措", texts, joined) is None
    assert premise._rank_contradiction("乙高新区排第20吧", texts, joined) is None


def test_a_start_of_building_is_no_building_done(monkeypatch):
    """"启动丙科技园建设" and "推动丙科技园…建设" are plans: "丙科技园已经建成投用了吧" is refused."""
    from assistant.composers import premise

    for written in ("启动丙科技园建设。", "推动丙科技园、科技小镇建设成为重要支撑。"):
        texts, joined = _one_sentence_clauses(monkeypatch, premise, written)
        found = premise._status_contradiction("丙科技园2020年就已经建成投用了吧", texts, joined)
        assert found is not None and found.written.startswith(written[:2]), (written, found)


def test_a_level_word_inside_a_name_does_not_hide_the_level_claimed_after_it(monkeypatch):
    """"把丁市国家农业科技园区创建成国家农业高新技术产业示范区吧" where the plan writes 创建江苏省农业高新技术产业示范区:
    the 国家 of the park's own name agrees with the plan, the 国家 claimed of the 示范区 does not; "已经创成" is a claim of
    a status done, refused where the plan only aims at it (争创…)."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "支持丁市国家农业科技园区创建江苏省农业高新技术产业示范区。")
    found = premise._level_contradiction("要把丁市国家农业科技园区创建成国家农业高新技术产业示范区吧", texts, joined)
    assert found is not None and "省农业高新技术产业示范区" in found.written, found
    assert premise._level_contradiction("要把丁市国家农业科技园区创建成省级农业高新技术产业示范区吧", texts, joined) is None
    texts, joined = _one_sentence_clauses(monkeypatch, premise, "争创国家级农业高新技术产业示范区。")
    found = premise._status_contradiction("戊市已经创成国家级农业高新技术产业示范区了，接下来怎么建", texts, joined)
    assert found is not None and found.written.startswith("争创"), found


def test_a_count_asked_of_what_the_plan_counts_only_as_several_is_not_given(monkeypatch):
    """"要建几个“海湾”人才街区" where the plan writes only 若干“海湾”人才街区 (both read without quotes, as the checks read
    them): the plan gives no count; a thing the plan counts with a number, or one the figure layer counts, keeps it."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "在全市分片建设若干海湾人才街区。",
                                          "建设3个大学创新港，布局一批大学创新港。", "培育一批瞪羚企业。")
    found = premise._indefinite_count("要建几个海湾人才街区？分别在哪", texts, joined)
    assert found is not None and found.gives_no and found.written.startswith("若干"), found
    assert premise._indefinite_count("要建几个大学创新港", texts, joined) is None
    counted = [type("F", (), {"subject": "瞪羚企业"})()]
    assert premise._indefinite_count("有几家瞪羚企业", texts, joined, lambda: counted) is None
    assert premise._indefinite_count("有几家瞪羚企业", texts, joined) is not None
    # each thing the name joins counted after it elsewhere: "建成验证中心15家、中试平台20家"
    texts, joined = _one_sentence_clauses(monkeypatch, premise, "布局建设一批验证中心和中试平台。", "到2030年，建成验证中心15家、中试平台20家。")
    assert premise._indefinite_count("要建多少家验证中心和中试平台", texts, joined) is None


def test_an_aim_opening_a_long_piece_is_no_building_done(monkeypatch):
    """"…，最终建成具备一流科技创新环境、“政校企社”为一体的丙创新港。": the aim opens the comma-piece the name ends, far
    before it; "丙创新港已经建成了" is refused with it."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise,
                                          "推动科技园建设成为重要支撑，最终建成具备一流科技创新环境、具有开放共享成果、政校企社为一体的丙创新港。")
    found = premise._status_contradiction("丙创新港已经建成了，里面都有什么", texts, joined)
    assert found is not None and found.written.startswith("最终建成"), found


def test_a_level_and_kind_said_to_be_had_already_is_held_against_an_aim(monkeypatch):
    """"东湖已经有国家级农高区了，…还要干啥" says the place has one: where the plan writes 国家级农高区 only as an aim
    (争创…) it is refused; "已经有几家国家级农高区" asks a count and says nothing."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "东湖新城争创国家级农高区，提升省级农高区建设水平。")
    found = premise._predicative_level("东湖新城已经有国家级农高区了，十四五期间还要干啥？", texts, joined)
    assert found is not None and found.written == "争创国家级农高区", found
    assert premise._predicative_level("东湖新城已经有几家国家级农高区？", texts, joined) is None


def test_a_thing_counted_with_a_count_word_somewhere_is_no_indefinite_count(monkeypatch):
    """"要形成几个产业集群" where one sentence writes 若干个…产业集群 and another 四大产业集群: the plan counts it (四大)."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "形成若干个科技服务产业集群。",
                                          "为炼化一体化、基础化工原料等四大产业集群的形成提供科技支撑。")
    assert premise._indefinite_count("石化产业要支撑形成几个产业集群？", texts, joined) is None
    texts, joined = _one_sentence_clauses(monkeypatch, premise, "形成若干个科技服务产业集群。")
    assert premise._indefinite_count("石化产业要支撑形成几个产业集群？", texts, joined) is not None


def test_a_basis_the_plan_gives_otherwise_is_refused(monkeypatch):
    """"甲乙创新港是依托丙大学建设的吧" where the plan builds it on another (依托丁大学甲乙校区，…建成…甲乙创新港): refused
    with the plan's basis; the plan's own basis, or a basis asked (依托哪些高校), is no claim."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "依托丁大学甲乙校区，整合载体资源，最终建成一流的甲乙创新港。")
    found = premise._basis_contradiction("东湖的甲乙创新港是依托丙大学建设的吧？", texts, joined)
    assert found is not None and found.written == "依托丁大学甲乙校区" and found.asked == "甲乙创新港依托丙大学"
    assert premise._basis_contradiction("甲乙创新港是依托丁大学甲乙校区建设的吗？", texts, joined) is None
    assert premise._basis_contradiction("甲乙创新港依托哪些高校建设？", texts, joined) is None


def test_a_number_stated_of_one_subject_is_not_borne_out_by_anothers_in_the_same_window(assistant):
    """"南京到2025年高企要达到3万家吧": the window shown says 科技型中小企业突破3万家,高新技术企业超2万家 — 3万 is the
    科小's; the 高企 premise is refused, and the 科小's own number keeps its question."""
    wrong = assistant.ask("南京到2025年高企要达到3万家吧？")
    assert wrong.refused and "2万" in wrong.text
    assert not assistant.ask("南京到2025年科技型中小企业要突破3万家吧？").refused


def test_a_number_stated_with_its_unit_matches_a_table_row_whose_unit_has_its_own_cell(assistant):
    """"技术合同成交额要超过500亿元，对吗" where the row reads ">500" with 亿元 in its unit cell: borne out, not refused;
    600亿 is still refused."""
    assert not assistant.ask("南通到2025年技术合同成交额要超过500亿元，对吗？").refused
    assert assistant.ask("南通到2025年技术合同成交额要超过600亿元，对吗？").refused


def test_only_said_a_few_words_before_a_name_bears_out_only(monkeypatch):
    """"苏北唯一的国家重大科技基础设施吧" where the plan writes "成为苏北唯一、全省两个国家重大科技基础设施之一": 唯一
    is said of it (a few words before the name), so the question is not refused as 之一; with no 唯一, it is."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "试验装置落户东湖，成为苏北唯一、全省两个国家重大科技基础设施之一。")
    assert premise._uniqueness_contradiction("试验装置是苏北唯一的国家重大科技基础设施？", texts, joined) is None
    texts, joined = _one_sentence_clauses(monkeypatch, premise, "试验装置落户东湖，成为全省两个国家重大科技基础设施之一。")
    assert premise._uniqueness_contradiction("试验装置是苏北唯一的国家重大科技基础设施？", texts, joined) is not None


def test_a_number_asked_to_be_confirmed_is_held_against_the_passage_quoted(assistant):
    """"…每年上升10位，是吧" answered by a passage (not a figure composer) that says 每年上升5位: refused with the
    plan's wording; the true 5位 is confirmed, and a figure asked (上升多少位) is answered."""
    wrong = assistant.ask("江阴高新区要在全国高新区排名中每年上升10位，是吧？")
    assert wrong.refused and "5位" in wrong.text and wrong.citations
    assert not assistant.ask("江阴高新区要在全国高新区排名中每年上升5位，是吧？").refused
    assert not assistant.ask("江阴高新区要在全国高新区排名中每年上升多少位？").refused


def test_an_institution_the_asked_plan_never_writes_is_refused():
    """"和牛津大学合作建设的…" where the plan writes 剑桥大学: an unknown name (牛津 nowhere in the library) or a name
    another plan writes (南京大学) that the asked plan does not is named as missing; one it writes, or a generic
    modifier (一流大学), is not."""
    from assistant.service import unwritten_institutions

    library = "剑桥大学南京科技创新中心。南京大学。江苏海洋大学与乌克兰马卡洛夫造船大学联合办学。世界一流大学。"
    asked = ["剑桥大学南京科技创新中心。江苏海洋大学与乌克兰马卡洛夫造船大学联合办学。"]
    assert unwritten_institutions("和牛津大学合作建设的科技创新中心", asked, library) == ["牛津大学"]
    assert unwritten_institutions("依托南京大学建设的创新港", asked, library) == ["南京大学"]
    assert unwritten_institutions("和剑桥大学合作建什么", asked, library) == []
    assert unwritten_institutions("和俄罗斯马卡洛夫造船大学联合办学", asked, library) == []  # 洛夫造船大学 is written
    assert unwritten_institutions("支持哪些一流大学建设", asked, library) == []
    assert unwritten_institutions("东湖的大学科技园要建多大", asked, library) == []  # 大学科技园 names none
    assert unwritten_institutions("东湖港的大学生创业", asked, library) == []
    assert unwritten_institutions("东湖打算建几个大学创新港", asked, library) == []
    assert unwritten_institutions("全年要招多少大学毕业生", asked, library) == []


def test_a_question_naming_an_institution_its_plan_never_writes_is_refused(assistant):
    wrong = assistant.ask("南京和牛津大学合作建设的南京科技创新中心，规划给它什么定位？")
    assert wrong.refused and "牛津大学" in wrong.text
    assert not assistant.ask("南京和剑桥大学合作建什么？").refused


def test_a_rank_said_as_risen_to_is_held_against_the_plans_rank(monkeypatch):
    """"既然甲区已经升到第8位，那…" where the plan writes 跃升至第12位: refused with the plan's rank; 升到第12位 is kept."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "2020年,甲高新区在国家级高新区排名跃升至第12位。")
    found = premise._rank_contradiction("既然甲高新区排名中已经升到第8位，那下一步有什么要求？", texts, joined)
    assert found is not None and found.written == "第12位", found
    assert premise._rank_contradiction("甲高新区排名升到第12位了吧？", texts, joined) is None


def test_a_university_named_after_another_city_is_no_city_and_no_name_of_the_plan(assistant):
    """"江阴依托南京大学江阴校区打造的创新港…": 南京 heads a university's name (南京大学), not a second city asked; 江阴's
    plan writes 南京理工大学江阴校区, never 南京大学 — refused; the plan's own 南京理工大学江阴校区 is not."""
    from assistant.query import understand

    assert understand("江阴依托南京大学江阴校区打造的创新港，规划里叫什么名字？", assistant.index.cities).cities == ("江阴市",)
    assert understand("南京理工大学在南京规划里有什么作用？", assistant.index.cities).cities == ("南京市",)
    wrong = assistant.ask("江阴依托南京大学江阴校区打造的创新港，规划里叫什么名字？")
    assert wrong.refused and "南京大学" in wrong.text
    assert not assistant.ask("江阴的南理工江阴创新港是依托南京理工大学江阴校区建设的吗？").refused


@pytest.mark.parametrize("question, refused", [
    ("连云港的燃气轮机试验装置，规划说2022年就投用了？", True),  # the plan dates it 2025年基本完成建设
    ("连云港燃气轮机试验装置是2025年建成吧？", False),
])
def test_a_year_claimed_of_an_event_is_held_against_the_years_the_cited_clauses_date_it(assistant, question, refused):
    answer = assistant.ask(question)
    assert answer.refused is refused, answer.text
    if refused:
        assert "2025年基本完成建设" in answer.text and answer.citations


def test_a_rank_said_as_reached_with_dao_is_held_against_the_plans_rank(monkeypatch):
    """"规划要求甲高新区排名进到全国前20，现在差距大吗" where the plan writes 进入全国前40位: the rank is the question's
    premise whatever it goes on to ask, and 进到 states it as 进入 does."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "到2025年,甲高新区排名进入全国前40位。")
    found = premise._rank_contradiction("规划要求甲高新区排名进到全国前20，现在差距大吗？", texts, joined)
    assert found is not None and found.written == "前40位", found
    assert premise._rank_contradiction("甲高新区排名进到全国前40了吗？", texts, joined) is None


def test_a_count_is_held_against_the_plans_count_across_a_de_phrase(monkeypatch):
    """"规划提出要建5到8个乙创新港，都放在哪" where the plan writes 3—5个具有高水平学科基础的乙创新港: the plan counts the
    noun with a 的-phrase between, so the stated range is refused with the plan's; a count inside the plan's range is
    not."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "建设3—5个具有高水平学科基础的乙大学创新港,形成融合综合体。")
    found = premise._count_contradiction("规划提出要建5到8个乙大学创新港，都放在哪些高校？", texts, joined, [])
    assert found is not None and found.asked == "5到8个乙大学创新港" and found.written.startswith("3—5个"), found
    assert premise._count_contradiction("要建4个乙大学创新港吧？", texts, joined, []) is None


def test_a_laboratory_the_asked_plan_never_writes_is_refused():
    """"甲市规划说要建设国家实验室，是吗" where only another plan writes 国家实验室: a laboratory is named like a university
    (its suffix and the run before it); one the plan writes, or a generic 重点实验室, is not."""
    from assistant.service import unwritten_institutions

    library = "支持紫金山实验室争创国家实验室。筹建光电科学紫琅实验室。建设省级重点实验室。"
    asked = ["筹建光电科学紫琅实验室。建设省级重点实验室。"]
    assert unwritten_institutions("甲市规划中说要建设国家实验室，是吗", asked, library) == ["国家实验室"]
    assert unwritten_institutions("紫琅实验室是干什么的", asked, library) == []
    assert unwritten_institutions("甲市有哪些重点实验室", asked, library) == []


def test_a_year_claimed_for_an_aim_the_plan_dates_nowhere_is_refused(assistant):
    """"规划里说2023年要建成综合性国家科学中心，对吗": the clauses on it date nothing and never name 2023 — refused, quoting
    the piece that names it (争创…); the plan's own horizon year (2025) is not refused, every aim of it being set by then."""
    answer = assistant.ask("南京规划里说2023年要建成综合性国家科学中心，对吗？")
    assert answer.refused and "综合性国家科学中心" in answer.text and "2023" in answer.text, answer.text
    assert not assistant.ask("南京规划里说2025年要建成综合性国家科学中心，对吗？").refused


@pytest.mark.parametrize("question", [
    "南通高新区作为省级高新区，规划给它定的发展目标是什么？",  # 作为 says what a thing is, as 是 does
    "南通高新区是省级高新区吗？",
])
def test_a_level_the_plan_writes_after_the_name_in_brackets_is_the_names_own(assistant, question):
    """The plan writes "南通高新区（国家级）": a question calling it 省级 is refused with that wording quoted."""
    answer = assistant.ask(question)
    assert answer.refused and "国家级" in answer.text and answer.citations


def test_the_level_the_plan_writes_after_the_name_is_not_refused(assistant):
    assert not assistant.ask("南通高新区是国家级高新区吗？").refused


def test_a_year_the_question_says_the_plan_set_is_a_premise_held_against_the_plan(assistant):
    """"南京规划提到2030年建成…创新名城": 规划提出 / 提到 / 明确 before a figure state a premise as 规划说 does — the plan's
    sentence says 展望2035年, so the year is refused with the plan's words, whether the question asks what it means (a
    passage answer) or how it is done (a topic answer); the plan's own horizon year is no premise to refuse
    ("规划提出到2025年高新技术企业要达到多少家")."""
    for question in ("南京规划明确2030年建成社会主义现代化创新名城，具体指什么？",
                     "南京规划提到2030年建成社会主义现代化创新名城，这个怎么理解？"):
        answer = assistant.ask(question)
        assert answer.refused and answer.citations and "2030" in answer.text, (question, answer.text)
    answer = assistant.ask("南京规划提出到2025年高新技术企业要达到多少家？")
    assert not answer.refused, answer.text


def test_a_level_said_after_filler_of_a_thing_the_plan_writes_only_beside_its_kinds_head_is_held_against_it(monkeypatch):
    """"甲乙实验室在东湖规划里只是个省重点实验室吧" where the plan writes the lab only as having entered the 国家实验室
    series: the filler (在…规划里, 只, 个) is read past, and the kind's head noun (实验室) carries the plan's level."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "甲乙实验室成功进入国家实验室序列，建成丙丁重点实验室。")
    found = premise._said_level("甲乙实验室在东湖规划里只是个省重点实验室吧", texts, joined)
    assert found is not None and found.written == "国家实验室", found
    assert premise._said_level("甲乙实验室是国家实验室吧", texts, joined) is None


def test_a_level_claimed_of_a_thing_the_plan_writes_only_as_planned_is_refused(monkeypatch):
    """"戊己实验室已经是国家实验室了吧" where the plan writes it with no level, only as being prepared (筹建…), and
    "…已经升格成国家级…了吧" where the level is only an aim: neither is said by the plan."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "对标省实验室建设要求，筹建戊己实验室。争创国家级农高区，提升省级农高区。")
    found = premise._predicative_level("戊己实验室已经是国家实验室了吧", texts, joined)
    assert found is not None and found.written == "筹建戊己实验室" and found.asked.endswith("国家实验室"), found
    found = premise._predicative_level("东湖的农高区已经升格成国家级农高区了吧", texts, joined)
    assert found is not None and "争创国家级农高区" in found.written, found
    texts, joined = _one_sentence_clauses(monkeypatch, premise, "庚辛实验室已建成运行，筹建二期。")
    assert premise._predicative_level("庚辛实验室已经是国家实验室了吧", texts, joined) is None  # built: no planned-only


def test_a_level_the_plan_writes_while_building_the_thing_up_bears_the_claim_out(monkeypatch):
    """"农高区已经是省级的了吧" where the plan writes 加快建设省级农高区: building up what is 省级 already says it is
    省级 (no false premise); 国家级 is written only as an aim (争创…), so "已经是国家级" is still refused."""
    from assistant.composers import premise

    texts, joined = _one_sentence_clauses(monkeypatch, premise, "加快建设省级农高区，争创国家级农高区。")
    assert premise._predicative_level("东湖的农高区已经是省级的了吧", texts, joined) is None
    found = premise._predicative_level("东湖的农高区已经是国家级的了吧", texts, joined)
    assert found is not None and found.written in ("省级农高区", "争创国家级农高区"), found


def test_a_number_stated_before_asking_how_is_held_against_the_quoted_measures(assistant):
    """"南京要在2025年建成500万平方米的城市硅巷，这个怎么推进？" states a figure (万平方米 read with its 万) before it
    asks how: the topic answer's quotes say 超300万平方米, so the premise is refused; the plan's own 300万 is not."""
    answer = assistant.ask("南京要在2025年建成500万平方米的城市硅巷，这个怎么推进？")
    assert answer.refused and "300万平方米" in answer.text, answer.text
    assert not assistant.ask("南京要在2025年建成300万平方米的城市硅巷，这个怎么推进？").refused
