"""Query understanding: cities (full, short, abbreviations), intents, indicator concepts, follow-ups."""
import pytest

from assistant.query import concept_of, understand

CITIES = ["句容市", "连云港市", "南通市", "南京市", "江阴市"]


def q(text, history=None, **kw):
    return understand(text, CITIES, history, **kw)


@pytest.mark.parametrize("text,cities", [
    ("南京到2025年高新技术企业要达到多少家？", ("南京市",)),
    ("宁高企目标是多少", ("南京市",)),
    ("港城的技术合同成交额目标", ("连云港市",)),
    ("在澄企业可以享受哪些研发奖补", ("江阴市",)),
    ("南京和南通的研发强度目标分别是多少？", ("南京市", "南通市")),
    ("通过技术转移提升能力的措施有哪些", ()),       # 通 inside 通过 is not 南通
    ("安宁的环境与港口建设", ()),                  # 宁, 港 inside words are not cities
])
def test_cities(text, cities):
    assert q(text).cities == cities


def test_places_without_plan_are_flagged():
    query = q("苏州的高企目标是多少")
    assert query.cities == () and query.unknown_places == ("苏州",)


@pytest.mark.parametrize("text,intent", [
    ("南京到2025年高新技术企业要达到多少家？", "target"),
    ("南京和南通的研发强度目标分别是多少？", "compare"),
    ("科技进步贡献率各市目标对比", "compare"),
    ("我们是一家科技型中小企业，在南通，可以享受哪些支持？", "eligibility"),
    ("连云港有哪些重点产业？", "list"),
    ("江阴为什么要建设先进制造业科创中心", "general"),
])
def test_intent(text, intent):
    assert q(text).intent == intent


@pytest.mark.parametrize("name,concept", [
    ("全社会研发经费支出占地区生产总值比例", "研发投入强度"),
    ("全社会研发投入占GDP比重", "研发投入强度"),
    ("农业科技进步贡献率", "农业科技进步贡献率"),
    ("科技进步贡献率", "科技进步贡献率"),
    ("技术市场合同成交额", "技术合同成交额"),
    ("高新技术企业数", "高新技术企业数"),
    ("高新技术产业产值占规模以上工业总产值比重", "高新技术产业产值占比"),
])
def test_indicator_concepts(name, concept):
    assert concept_of(name) == concept


def test_question_concepts_use_abbreviations():
    assert q("宁研发强度2025年目标").concepts == ("研发投入强度",)
    assert q("科小有多少家").concepts == ("科技型中小企业数",)


def test_year_and_stated_numbers():
    query = q("南京计划2025年高新技术企业达到3万家，对吗？")
    assert query.year == 2025 and query.numbers == ("3万",)


def test_followup_city_switch():
    first = q("南京到2025年高新技术企业要达到多少家？")
    follow = q("那南通呢？", [first])
    assert follow.followup and follow.cities == ("南通市",)
    assert follow.concepts == ("高新技术企业数",) and follow.intent == "target"


def test_followup_pronoun_keeps_subject_and_takes_own_intent():
    first = q("江阴有效高新技术企业数要突破多少家？")
    follow = q("它的牵头单位是谁？", [first])
    assert follow.followup and follow.cities == ("江阴市",)
    assert "牵头单位" in follow.text and "高新技术企业" in follow.text
    assert follow.intent == "general"


def test_standalone_question_is_not_a_followup():
    first = q("南京到2025年高新技术企业要达到多少家？")
    follow = q("连云港有哪些重点产业？", [first])
    assert not follow.followup and follow.cities == ("连云港市",)
