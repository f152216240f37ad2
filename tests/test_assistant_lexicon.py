"""Question words as data (index/resources/question_words.tsv), unknown places, and follow-ups that change the year.

Synthetic cities (东湖市, 西山市) stand for any plan a user uploads: nothing here depends on the shipped plans.
"""
import pytest

from assistant.lexicon import MARKS, QUESTION_WORDS, read_rules, rule
from assistant.query import owns_plan, place_names, understand
from index.tokenize import ResourceError
from ingest.lexicon import cue

CITIES = ["东湖市", "西山市"]


def test_every_entry_is_marked_and_no_entry_serves_one_question():
    rules = read_rules()
    assert {"frame", "compare", "target", "sub_area", "place_generic"} <= set(rules)
    assert not {"past", "ahead"} & set(rules)  # looking back or ahead is a cue: ingest/resources/cues.tsv
    assert all(mark in MARKS for entries in rules.values() for _, mark in entries)
    frame = [entry for entry, _ in rules["frame"]]
    assert "市里会给" not in frame and "会给" not in frame


def test_a_rule_is_the_alternation_of_its_entries():
    assert rule("compare").search("南京和苏州比较") and not rule("compare").search("南京的目标")
    assert cue("question_past").search("2020年的基数是多少") and not cue("question_past").search("到2025年的目标")


@pytest.mark.parametrize("line,message", [
    ("frame\t多少", "expected"),
    ("frame\t多少\tword", "mark must be"),
    ("frame\t(多少\tframe", "not a valid pattern"),
])
def test_malformed_question_words_are_errors(tmp_path, line, message):
    path = tmp_path / "question_words.tsv"
    path.write_text(f"# header\n{line}\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=message):
        read_rules(path)
    assert QUESTION_WORDS.exists()


@pytest.mark.parametrize("text,places", [
    ("青山市的研发强度目标是多少？", ("青山市",)),     # a place no list knows
    ("请问青山县有哪些科技政策", ("青山县",)),
    ("东湖和青山市比较", ("青山市",)),
    ("全市高新技术企业有多少家", ()),                 # common words, not places
    ("创新型城市建设有哪些举措", ()),
    ("高新区和示范区的目标", ()),
    ("五个城市里研发强度最高的是哪个", ()),
    ("“完善市科技创新服务联盟”由谁牵头", ()),          # inside a quoted name
    ("浦东新区科技创新规划里列了哪些重大工程？", ("浦东新区",)),  # a 新区 is a place too
    ("青澜新区有哪些科技政策", ("青澜新区",)),
    ("推动国家级新区和高新区建设", ()),              # the genre word, not a place
    ("到2025年农高区要培育几家企业？", ()),           # a date's 年 starts no place
])
def test_place_names(text, places):
    assert place_names(text) == places


def test_an_unknown_place_is_never_read_as_a_known_city():
    query = understand("青山市的研发强度目标是多少？", CITIES)
    assert query.cities == () and query.unknown_places == ("青山市",)
    both = understand("东湖市和青山市的高企目标", CITIES)
    assert both.cities == ("东湖市",) and both.unknown_places == ("青山市",)


def test_a_question_about_another_places_own_plan():
    assert owns_plan("盐城", "盐城的科创规划里是怎么安排跟东湖合作的？")
    assert not owns_plan("盐城", "东湖规划里和盐城怎么合作？")


@pytest.mark.parametrize("previous,followup,year,period", [
    ("东湖到2025年高新技术企业目标是多少家？", "那2020年的时候有多少家？", 2020, None),  # the year decides, per plan
    ("东湖基础研究经费占比十四五目标是多少？", "2020年的基数是多少？", 2020, "past"),
    ("东湖到2022年万人发明专利拥有量目标是多少？", "那2020年底要达到多少？", 2020, "target"),
])
def test_a_followup_with_its_own_year_replaces_the_previous_year(previous, followup, year, period):
    first = understand(previous, CITIES)
    query = understand(followup, CITIES, [first])
    assert query.followup and query.cities == ("东湖市",) and query.concepts == first.concepts
    assert query.year == year and query.period == period
    assert "2025" not in query.text.split("?")[0] and "2022" not in query.text.split("?")[0]


def test_the_term_tables_english_column(tmp_path):
    from index.tokenize import read_english, read_synonyms

    rows = dict((e, c) for e, c, _ in read_english())
    assert rows["high-tech enterprises"] == "高新技术企业" and rows["r&d intensity"] == "研发强度"
    path = tmp_path / "terms.tsv"
    path.write_text("高企\t高新技术企业\tterm\thigh-tech firms\n研发强度\t研发投入强度\tterm\t研发\n", encoding="utf-8")
    assert read_synonyms(path)["高企"].kind == "term"
    with pytest.raises(ResourceError, match="plain ASCII"):
        read_english(path)
