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
    ("宁、通、港三市2025年的研发强度目标谁最高？", ("南京市", "南通市", "连云港市")),  # a list of short names
    ("宁目前有多少家新研机构？", ("南京市",)),
    ("宁“十四五”末的研发强度目标是多少？", ("南京市",)),
    ("南通、港口和通道建设", ("南通市",)),           # 港口, 通道 after 、/和 are words
])
def test_cities(text, cities):
    assert q(text).cities == cities


def test_places_without_plan_are_flagged():
    query = q("苏州的高企目标是多少")
    assert query.cities == () and query.unknown_places == ("苏州",)


def test_any_city_of_the_gazetteer_is_a_place_without_a_plan():
    from ingest.lexicon import PLACES

    rows = [line.split("\t") for line in PLACES.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    names = [r[0] for r in rows if r[1] in ("地级市", "县级市") and "title" not in r[3:] and r[0] not in {c[:-1] for c in CITIES}]
    assert len(names) > 300  # every prefecture- and county-level city, not the neighbours of the shipped plans only
    for name in names[::7]:
        assert q(f"{name}有哪些科技金融政策？").unknown_places == (name,), name


def test_a_place_without_a_plan_set_against_a_city_leaves_the_comparison_open():
    from assistant.query import compares

    assert compares("徐州", "徐州和南京的研发强度谁高", ("南京市", "徐州"))
    assert compares("上海", "南京和上海比，研发强度谁高", ("南京市", "上海"))
    assert compares("盐城", "连云港和盐城市的专利目标哪个更高？", ("连云港市", "盐城"))  # 哪个更高 compares too
    assert compares("桐川市", "桐川市和南通比，哪个十四五高企数目标更高？", ("南通市", "桐川市"))  # 哪个…更高: words between
    assert not compares("上海", "南通跟苏南、上海合作的项目分别不少于多少项", ("南通市", "上海"))  # 苏南 is no city
    assert not compares("上海", "江阴鼓励企业在上海设立哪几个研发中心", ("江阴市", "上海"))


def test_a_place_without_a_plan_that_the_asking_piece_is_about_is_asked_of():
    """The last clause asks about the place (柏崖县的…) and names no corpus city: the city before it only sets the
    scene; a place inside a question about a city (在上海设立…) is not asked of."""
    from assistant.query import asked_of

    assert asked_of("柏崖县", "南京提了“两区一廊多组团”，柏崖县的科技创新空间布局是怎么安排的？", ("南京市",))
    assert not asked_of("上海", "江阴鼓励企业在上海设立哪几个研发中心", ("江阴市",))
    assert not asked_of("上海", "南京和上海的研发强度，南京的是多少", ("南京市",))


@pytest.mark.parametrize("text,intent", [
    ("南京到2025年高新技术企业要达到多少家？", "target"),
    ("南京和南通的研发强度目标分别是多少？", "compare"),
    ("科技进步贡献率各市目标对比", "compare"),
    ("我们是一家科技型中小企业，在南通，可以享受哪些支持？", "eligibility"),
    ("连云港有哪些重点产业？", "list"),
    ("江阴为什么要建设先进制造业科创中心", "general"),
    # "分别" with one city names several things of it, not several cities
    ("请问南京规划里国家级孵化器和众创空间到2025年分别要有多少家？", "target"),
    ("哪个城市是全国唯一的科技体制综合改革试点城市？", "compare"),
    ("宁有哪几个代表性的城市硅巷？", "list"),
    ("句容科创规划的发文字号是什么？", "document"),
    ("江阴2020年新签约10亿元以上项目30个的任务由谁牵头？", "task"),
    ("江阴三年行动计划要求2022年高企突破2000家，是吗？", "target"),
    # "怎么…" without a figure word asks for a way, even where a target word appears (碳达峰, 突破)
    ("南京在碳达峰碳中和上打算怎么搞？", "general"),
    ("句容新材料产业准备怎么突破？", "general"),
    ("南京高企数量怎么样，到2025年要突破多少家？", "target"),
    # the conditions of a thing the plan names are asked of it, not of the asker ("我们…条件能放宽吗" is)
    ("南通的科技成果转化项目要满足什么条件？", "general"),
    ("我们是连云港的一家高新技术企业，想聘一位外国专家，条件能放宽吗？", "eligibility"),
    # the asker leads ("我们…想牵头建…"): what applies to it is asked, not who leads a task
    ("我们团队是海外科学家团队，想在江阴高新区牵头建个新型研发机构，有什么扶持？", "eligibility"),
])
def test_intent(text, intent):
    assert q(text).intent == intent


@pytest.mark.parametrize("name,concept", [
    ("全社会研发经费支出占地区生产总值比例", "研发投入强度"),
    ("全社会研发投入占GDP比重", "研发投入强度"),
    ("全社会研发经费投入占地区生产总值比重", "研发投入强度"),  # 经费投入 as well as 投入 and 经费支出
    ("农业科技进步贡献率", "农业科技进步贡献率"),
    ("科技进步贡献率", "科技进步贡献率"),
    ("技术市场合同成交额", "技术合同成交额"),
    ("高新技术企业数", "高新技术企业数"),
    ("高新技术产业产值占规模以上工业总产值比重", "高新技术产业产值占比"),
])
def test_indicator_concepts(name, concept):
    assert concept_of(name) == concept


def test_overlapping_aliases_name_one_concept():
    # 每万人高价值发明专利拥有量 holds 高价值发明专利 and 发明专利拥有量, overlapping: one indicator
    assert q("南京和连云港每万人高价值发明专利拥有量的目标分别是多少？").concepts == ("高价值发明专利",)


def test_a_growth_indicator_is_named_with_its_subject_and_growth_word_apart():
    """"研发经费每年要增长多少" names 研发经费增速 (an alias 研发经费年均增速: its stem, then a growth word a few characters
    on); the stem alone, or a growth word past the sentence's end, does not."""
    assert q("南通研发经费每年要增长多少？").concepts == ("研发经费增速",)
    assert q("南通研发经费年均增长目标是多少？").concepts == ("研发经费增速",)
    assert "研发经费增速" not in q("南通研发经费投入要达到多少？").concepts
    assert "研发经费增速" not in q("南通研发经费投入多少？营收增长多少？").concepts


def test_question_concepts_use_abbreviations():
    assert q("宁研发强度2025年目标").concepts == ("研发投入强度",)
    assert q("科小有多少家").concepts == ("科技型中小企业数",)


def test_year_and_stated_numbers():
    query = q("南京计划2025年高新技术企业达到3万家，对吗？")
    assert query.year == 2025 and query.numbers == ("3万",)
    # "2000家" and "达到2000亿" are figures, not years
    query = q("江阴三年行动计划要求2022年高企突破2000家，是吗？")
    assert query.year == 2022 and query.numbers == ("2000",)
    query = q("南京2025年的技术合同成交额会达到2000亿吗？")
    assert query.year == 2025 and query.numbers == ("2000亿",)
    assert q("南京到2035年研发投入强度要达到多少？").year == 2035
    # years listed bare are years, not stated figures; a figure verb before four digits makes them a figure
    assert q("连云港科技进步贡献率2020和2025分别是多少？").numbers == ()
    assert q("江阴高企要突破2000，是吗？").numbers == ("2000",)


@pytest.mark.parametrize("text,period", [
    ("南京到2025年高新技术企业要达到多少家？", "target"),
    ("南通“十四五”的高企目标是多少？", "target"),
    ("南通“十三五”末的技术交易额是多少？", "past"),
    ("宁和南通现有新研机构各有多少家？", "past"),
    ("南京2020年研发投入总额是多少？", None),  # a bare year: judged against each plan's period later
])
def test_period_from_the_wording(text, period):
    assert q(text).period == period


@pytest.mark.parametrize("text,unit", [
    ("句容对新建省级研发机构的建设资金支持最高多少万元？", "money"),
    ("南通研发强度“十四五”末的目标是多少？", "percent"),
    ("到2022年江阴要建成几家新型研发机构？", "count"),
    ("南京市级科创基金的盘子有多大？", None),
])
def test_kind_of_figure_asked_for(text, unit):
    assert q(text).unit == unit


def test_topic_drops_cities_question_and_frame_words_but_keeps_names():
    assert q("南京到2025年高新技术企业要达到多少家？").topic == "高新技术企业"
    assert q("南京市级科创基金的盘子有多大？").topic.startswith("市级科创基金")  # 南京市级 keeps 市级
    assert "南理工江阴创新港" in q("江阴依托哪所高校建设南理工江阴创新港？").topic  # a city inside a name stays
    assert q("南通“十三五”末的技术交易额是多少？").topic == "十三五 技术交易额"
    # who carries a task out is the frame, not the task: 谁配合, 责任单位, "那条任务"
    assert q("江阴招引大学生这事谁牵头，谁配合？").topic == "招引大学生"
    assert q("江阴知识产权那条任务的责任单位是谁？").topic == "知识产权"


def test_quoted_names_including_nested_quotes():
    assert q("南通的“紫琅英才计划”对引进人才补贴多少？").quoted == ("紫琅英才计划",)
    assert q("《“创新江阴”三年行动计划》是哪天印发的？").quoted == ("“创新江阴”三年行动计划", "创新江阴")


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
    assert follow.intent == "task"  # its own words ask who leads a task


def test_standalone_question_is_not_a_followup():
    first = q("南京到2025年高新技术企业要达到多少家？")
    follow = q("连云港有哪些重点产业？", [first])
    assert not follow.followup and follow.cities == ("连云港市",)


@pytest.mark.parametrize("before, after, resolved, city, concept", [
    ("南京到2025年科技型中小企业要达到多少家？", "那高新技术企业呢？", "南京到2025年高新技术企业要达到多少家", "南京市", "高新技术企业"),
    ("南京的研发强度目标是多少？", "那连云港的技术合同成交额呢？", "连云港的技术合同成交额目标是多少", "连云港市", "技术合同成交额"),
    ("南京的研发强度目标是多少？", "技术合同成交额呢？", "南京的技术合同成交额目标是多少", "南京市", "技术合同成交额"),
    ("南通高企2020年有多少家？", "那2025年呢？", "南通高企2025年有多少家", "南通市", "高新技术企业"),
])
def test_elliptical_followups_replace_the_city_the_indicator_or_the_year(before, after, resolved, city, concept):
    r = q(after, [q(before)])
    assert r.followup and r.text.rstrip("?？") == resolved
    assert r.cities == (city,) and any(concept in c for c in r.concepts), r.concepts


def test_a_followup_with_its_own_question_word_is_its_own_question():
    r = q("那高新技术企业有多少家呢？", [q("南京的研发强度目标是多少？")])
    assert "研发强度" not in r.text


def test_a_followup_opening_with_a_subject_of_its_own_drops_the_previous_one():
    """"外国人才呢，十四五要引进多少？" after a question on 科技副总: the conversation's city, the follow-up's own subject
    (not 科技副总, not its indicator); "那2020年呢，…" and "这个呢，…" keep the previous subject."""
    first = q("连云港高新技术企业到2025年目标多少家？")
    shifted = q("外国人才呢，十四五要引进多少？", [first])
    assert shifted.followup and shifted.cities == ("连云港市",) and "高新技术企业" not in shifted.text, shifted.text
    assert not shifted.concepts
    for kept in ("那2020年呢，实际有多少家？", "这个呢，实际有多少家？"):
        assert "高新技术企业" in q(kept, [first]).text, kept


def test_a_modifier_followup_narrows_the_previous_indicator():
    """"农业的呢？" after 科技进步贡献率 asks 农业科技进步贡献率 (a kind of it); "那科技型中小企业的呢？" names an indicator of
    its own and replaces it."""
    first = q("句容的科技进步贡献率目标是多少？")
    narrowed = q("农业的呢？", [first])
    assert "农业科技进步贡献率" in narrowed.text, narrowed.text
    other = q("那科技型中小企业的呢？", [q("南京高新技术企业2025年目标多少家？")])
    assert "科技型中小企业" in other.text and "高新技术企业" not in other.text, other.text


def test_a_city_change_with_filler_words_is_a_followup():
    r = q("换成连云港的话呢？", [q("南京到2025年高新技术企业要达到多少家？")])
    assert r.followup and r.cities == ("连云港市",) and "高新技术企业" in r.text and "的话" not in r.text


@pytest.mark.parametrize("after", ["那南京定的是多少？", "南京的是多少？", "那南京要达到多少？"])
def test_another_city_with_asking_words_only_reasks_the_previous_question(after):
    """"那南京定的是多少？" names another city and no subject of its own: the previous question of that city; one that
    says a subject ("那南京有哪些举措？") is its own question."""
    first = q("句容规划里技术合同成交额的目标是多少？")
    r = q(after, [first])
    assert r.followup and r.cities == ("南京市",) and "技术合同成交额" in r.text, r.text
    own = q("那南京有哪些举措？", [first])
    assert "技术合同成交额" not in own.text


def test_a_figure_asked_without_a_year_keeps_the_previous_questions_year():
    r = q("年底有效期内的总数要到多少？", [q("江阴2020年重点工作目标里，高新技术企业要净增多少家？")])
    assert r.followup and r.year == 2020 and r.cities == ("江阴市",), r.text
    # who leads it is asked of that year too: a task table is of a year (江阴's 2020 rows)
    assert q("它的牵头单位是谁？", [q("江阴2020年高新技术企业要净增多少家？")]).year == 2020
    assert q("有哪些举措？", [q("江阴2020年高新技术企业要净增多少家？")]).year is None  # neither a figure nor a lead
    assert q("十三五末是多少？", [q("句容研发投入强度2025年目标多少？")]).year != 2025  # its own period


def test_a_new_question_in_the_conversation_keeps_the_previous_city():
    r = q("那高新技术企业2020年有多少家？", [q("南京到2025年科技型中小企业要达到多少家？")])
    assert r.followup and r.cities == ("南京市",) and r.year == 2020


def test_a_followup_that_names_the_conversations_city_again_is_still_a_followup():
    """"那现在南通有几家？" after a question about 南通's 高企: the city said again, the subject kept."""
    r = q("那现在南通有几家？", [q("南通十四五高新技术企业目标是多少？")])
    assert r.followup and r.cities == ("南通市",) and "高新技术企业" in r.text, r.text


def test_actually_is_a_frame_word_not_a_subject():
    """"2020年底实际有多少家？": 实际 says how the figure is asked, not what it counts (实际利用外资 keeps its word)."""
    r = q("2020年底实际有多少家？", [q("句容高企2025年要到多少家？")])
    assert "实际" not in r.topic.split(), r.topic
    assert "实际利用外资" in q("江阴战略性新兴产业实际利用外资占比要到多少？").topic


def test_a_followup_naming_several_cities_keeps_them_all():
    r = q("那南京和连云港呢？", [q("南通和句容的高企目标各是多少？")])
    assert r.followup and set(r.cities) == {"南京市", "连云港市"} and r.intent == "compare"
    r = q("那南京呢？", [q("南通和句容的高企目标各是多少？")])
    assert r.cities == ("南京市",)


@pytest.mark.parametrize("text", ["谁的技术合同成交额目标最低？", "五个城市中高企目标哪个最多？", "高企目标最多的是哪里？"])
def test_a_superlative_about_an_indicator_compares_every_city(text):
    r = q(text)
    assert r.intent == "compare" and not r.cities and r.concepts


@pytest.mark.parametrize("text,intent", [
    # a figure word in what the asker says of themselves (规模, 比重) does not make a profile's question a target
    ("我们是连云港的一家医药企业，规模不小，研发投入比重也高，想建企业技术中心，有什么支持？", "eligibility"),
    ("江阴一家高企，员工数量三百人，规划里对人才引进有哪些政策？", "eligibility"),
    ("南通一家做海工装备的企业，产值规模较大，想申报省级研发平台，规划里怎么支持？", "eligibility"),
    # the part that asks names a figure (not said of the asker): the indicator's target, though a profile is given
    ("江阴一家科技企业，想问2022年全市高企数量的目标是多少？", "target"),
])
def test_profile_question_reads_figure_words_in_what_it_asks(text, intent):
    assert q(text, profile=True).intent == intent


@pytest.mark.parametrize("asked", ["江阴到2022年高企目标是多少？", "江阴2022年底高企要达到多少家？"])
@pytest.mark.parametrize("follow", ["比南京的目标高吗？", "和南京比呢？", "跟南京相比呢？"])
def test_a_followup_naming_another_city_with_a_comparison_compares_both(follow, asked):
    """After one city's figure, "比南京的高吗" asks the same question of both cities as a comparison, over each
    plan's own horizon (江阴's 2022 is not in 南京's plan): the year phrase, 年底 and all, is left out."""
    first = q(asked)
    second = q(follow, [first])
    assert second.followup and second.intent == "compare", second
    assert set(second.cities) == {"江阴市", "南京市"} and second.year is None and "2022" not in second.text
    assert second.concepts == ("高新技术企业数",)


def test_a_followup_naming_another_part_of_the_city_replaces_the_part():
    r = q("临港开发区呢？", [q("江阴高新区到2022年研发经费占GDP比重要达到多少？")])
    assert r.followup and "临港开发区" in r.text and "研发经费" in r.text and "高新区" not in r.text


def test_a_followup_without_a_subject_of_its_own_keeps_the_previous_one():
    r = q("那规划要到2025年达到多少人？", [q("连云港现在有多少省科技副总？")])
    assert r.followup and "省科技副总" in r.text and r.year == 2025


@pytest.mark.parametrize("text", ["连云港专栏5里面农产品出口额定的多少？", "江阴第20条的目标是多少", "南京表1里高企有多少家"])
def test_a_numbered_label_is_no_stated_figure_and_no_topic_word(text):
    r = q(text)
    assert r.numbers == () and not any(ch.isdigit() for ch in r.topic)


def test_a_figure_verb_inside_a_word_asks_no_figure():
    assert q("南京碳达峰碳中和示范工程是啥").intent != "target"  # 达 of 碳达峰
    assert q("南京高企数达多少").intent == "target"

def test_a_pronoun_followup_keeps_the_conversations_subject_not_the_earlier_asking_words():
    """"重点招引哪些方向？" then "到2025年要吸纳多少人？" after "南通创新区的定位是什么？": every turn is about 创新区;
    the earlier turns' asking words (定位是, 重点招引 方向) are not words of the new question."""
    first = q("南通创新区的定位是什么？")
    assert first.subject == "创新区"
    second = q("重点招引哪些方向？", [first])
    third = q("到2025年要吸纳多少人？", [first, second])
    assert third.followup and third.cities == ("南通市",)
    assert "创新区" in third.topic and "吸纳" in third.topic
    assert "定位" not in third.topic and "招引" not in third.topic, third.topic


def test_a_followup_naming_a_part_of_the_city_asks_about_that_part_in_the_conversations_city():
    first = q("连云港花果山大道科技创新走廊是怎么布局的？")
    assert first.subject == "花果山大道科技创新走廊"  # 是 before 怎么 is a frame word
    r = q("北片区主要承担啥功能？", [first])
    assert r.followup and r.cities == ("连云港市",) and "北片区" in r.text and "走廊" not in r.text


def test_a_year_with_frame_words_replaces_the_year_and_a_gap_asked_compares_both_cities():
    r = q("2020年当年的目标呢？", [q("江阴到2022年高新技术产业产值占比要达多少？")])
    assert r.followup and r.year == 2020 and "高新技术产业产值" in r.text and "2022" not in r.text
    r = q("那南京呢？差多少？", [q("连云港2025年万人高价值发明专利拥有量目标是多少？")])
    assert r.intent == "compare" and set(r.cities) == {"南京市", "连云港市"}


def test_a_question_naming_no_place_stays_with_the_conversations_city_unless_it_asks_across_cities():
    first = q("南京打算建多少个大学创新港？")
    r = q("建好以后要形成个什么样的综合体？", [first])
    assert r.followup and r.cities == ("南京市",)
    assert q("哪些城市提到了大学创新港？", [first]).cities == ()
    assert q("研发强度目标谁最高？", [first]).cities == ()


def test_a_replaced_indicator_takes_its_measure_word_along():
    first = q("江阴高新区到2022年研发经费支出占GDP比重要到多少？")
    second = q("那万人有效发明专利拥有量呢？", [first])
    assert "比重" not in second.text and "万人有效发明专利拥有量" in second.text
    third = q("临港开发区呢？", [first, second])
    assert "临港开发区" in third.text and "万人有效发明专利拥有量" in third.text and "高新区" not in third.text


def test_a_followup_naming_no_subject_carries_the_previous_indicators_wording():
    """"2020年底的时候实际有多少家？" after a question about 科技型中小企业: the wording joins the text (before its
    question mark), so a figure the plan states only in prose is found by its words; a new subject is not joined."""
    first = q("句容2025年科技型中小企业目标是多少？")
    r = q("2020年底的时候实际有多少家？", [first])
    assert r.followup and "科技型中小企业" in r.text and r.text.endswith("?") and "科技型中小企业" in r.topic
    other = q("那高新技术企业呢？", [first])
    assert "科技型中小企业" not in other.text



def test_a_followup_naming_no_place_stays_with_the_part_of_the_city_the_conversation_is_about():
    """"2020年这一年要净增多少家？" after a question about a city's 高新区: asked of the 高新区, not of the whole city
    (a part's figure and the city's differ); a follow-up naming a part of its own is asked of that part."""
    first = q("南通高新区到2025年高新技术企业要达到多少家？")
    r = q("2020年这一年要净增多少家？", [first])
    assert r.followup and r.cities == ("南通市",) and "南通高新区" in r.text
    r = q("那高企2020年有多少家？", [first])
    assert r.followup and "南通高新区" in r.text
    r = q("镇街板块2020年要净增多少家？", [first])
    assert r.followup and "高新区" not in r.text and "镇街板块" in r.text
    assert "高新区" not in q("2020年有多少家？", [q("南通到2025年高新技术企业要达到多少家？")]).text


def test_a_followup_naming_no_place_and_no_indicator_keeps_the_conversations_subject():
    """"建成投用以后主要要承担一个什么样的功能？" after "南通打算建多少个科创飞地？": asked of the 科创飞地, in the conversation's city."""
    r = q("建成投用以后主要要承担一个什么样的功能？", [q("南通打算建多少个科创飞地？")])
    assert r.followup and r.cities == ("南通市",) and "科创飞地" in r.text, r.text
    # a follow-up pointing at a subject of its own ("新材料那块") is asked of that subject alone
    r = q("新材料那块主要靠哪些龙头企业来带动发展？", [q("南通的四大主导产业集群是哪几个？")])
    assert r.followup and "主导产业集群" not in r.text, r.text


def test_a_followup_with_a_year_and_words_of_the_same_indicator_keeps_the_indicator():
    """"那2020年的入库目标呢？" after "…到2022年要培育多少家科技型中小企业？": the year replaces the year and 入库 joins
    the question; the indicator stays (a new indicator with a year still replaces it)."""
    first = q("江阴到2022年要培育多少家科技型中小企业？")
    r = q("那2020年的入库目标呢？", [first])
    assert r.followup and r.year == 2020 and "科技型中小企业" in r.text and "入库" in r.text and "2022" not in r.text


@pytest.mark.parametrize("text, subject", [
    ("南京规划里说的大学创新港是个什么东西？", "大学创新港"), ("中华药港是干嘛的", "中华药港"), ("南京规划里的重大工程都有哪些？", "重大工程")])
def test_asking_words_are_no_part_of_the_subject(text, subject):
    """"是个什么东西", "是干嘛的", "都有哪些" ask; a follow-up carries the subject without them."""
    assert q(text).subject == subject


def test_a_counting_measure_after_duoshao_is_asking_words_not_the_topic():
    """"多少家市级以上的…": 家 belongs to the asking words (the topic is 市级以上 …, not 家市级以上); 项目 and 条件 after
    多少 are words of their own."""
    assert "家市级" not in q("句容想培育多少家市级以上的农业科技企业？").topic
    assert "市级以上" in q("句容想培育多少家市级以上的农业科技企业？").topic
    assert "项目" in q("南京有多少项目？").topic
    assert "条件" in q("需要多少条件？").topic
    assert "件发明" not in q("南通十三五末每万人拥有多少件发明专利？").topic  # after 有多少 too


@pytest.mark.parametrize("text", ["南通的创新能力在国家创新型城市里想排到什么位置？", "江阴高新区在全国高新区综合评价里想排进多少名？",
                                  "南通高新区在全国的排名，规划希望提升到什么位置？"])
def test_a_rank_the_city_wants_to_reach_is_a_target_and_no_word_of_the_topic(text):
    """"想排到什么位置": 什么位置 asks a figure (a rank), 想排到 / 希望提升到 look ahead — the plan's target, not its
    review's rank — and the aspiring verb names nothing the plan is asked about."""
    parsed = q(text)
    assert parsed.intent == "target" and parsed.period == "target", parsed
    assert not any(w in parsed.topic for w in ("排到", "排进", "提升到")), parsed.topic


@pytest.mark.parametrize("text", ["南京规划里的独角兽企业要培育多少家？", "连云港十四五要引进多少外国专家？", "南通要新增多少家省级以上研发机构？"])
def test_what_is_to_be_fostered_or_brought_in_looks_ahead(text):
    """"要培育多少家": a target, so a review's count (独角兽企业累计15家 at 2020) is not its answer."""
    assert q(text).period == "target", q(text)


@pytest.mark.parametrize("text", ["这个和南京比呢？", "它比南京的高吗？", "那这个跟南京相比呢？"])
def test_a_comparison_follow_up_may_open_with_a_pronoun(text):
    """"这个和南京比呢" after a city's figure: the same indicator of both cities, compared — 这个 / 它 point at it."""
    previous = q("连云港研发投入强度目标是多少？")
    asked = q(text, [previous])
    assert asked.intent == "compare" and set(asked.cities) == {"南京市", "连云港市"}, asked


def test_a_sentence_that_only_sets_the_scene_goes_before_the_asking_one():
    """"主要指标表里一共列了几项？南通的科技规划。": the asking sentence ends the text, where its frames are read."""
    from assistant.query import asking_last
    assert asking_last("主要指标表里一共列了几项？南通的科技规划。") == "南通的科技规划。主要指标表里一共列了几项？"
    assert asking_last("南通的主要指标表里一共列了几项？") == "南通的主要指标表里一共列了几项？"
    assert q("主要指标表里一共列了几项？南通的科技规划。").cities == ("南通市",)


@pytest.mark.parametrize("text,year", [
    ("句容2020年底高企有多少家？", 2020),
    ("那20年底有多少家？", 2020),  # a year written with two digits
    ("南京25年研发强度要到多少？", 2025),
])
def test_a_year_written_with_two_digits_is_read_as_the_year(text, year):
    assert q(text).year == year


def test_a_span_of_years_is_no_year():
    assert q("南京20年来研发投入增长了多少？").year is None


def test_where_in_a_city_is_not_which_cities():
    """"打算放在哪些地方？" after a question about 句容: places inside the city, asked of the same subject — 哪些地方 asks
    which cities only when no 在 places something."""
    first = q("句容规划说要布局几个专业孵化器？")
    follow = q("打算放在哪些地方？", [first])
    assert follow.followup and follow.cities == ("句容市",) and "孵化器" in follow.text
    assert not q("哪些地方提出了建设科创走廊？").cities


def test_count_and_which_frames_leave_no_word_in_the_topic():
    """"有几个分园", "是哪两个": how people ask, not what about."""
    assert q("南京高新区有几个分园？").topic.split() == ["高新区", "分园"]
    assert "哪两个" not in q("南京高新区的主导产业是哪两个？").topic


def test_a_bare_this_asks_of_the_item_the_previous_question_asked_about():
    """"这个是谁牵头的？" after "…平台里，海工船舶领域是哪个项目？": the item is the previous question's whole topic
    (海工船舶 too), not only its longest piece."""
    first = q("南通十四五重大企业创新平台里，海工船舶领域是哪个项目？")
    assert "海工船舶" in q("这个是谁牵头的？", [first]).text


def test_a_follow_up_naming_its_own_field_keeps_only_the_place():
    """"那新材料方面要支持建设什么基地？" after a question about 海工船舶 parks: 新材料方面 is a subject of its own."""
    first = q("南通规划里说的三大海工船舶装备特色产业园是哪几个？")
    follow = q("那新材料方面要支持建设什么基地？", [first])
    assert follow.cities == ("南通市",) and "海工船舶" not in follow.text


def test_who_leads_after_a_figure_is_a_task_not_which_city():
    """"谁牵头？" after "江阴…高企要净增多少？": who leads that task, not "谁最高" across the cities."""
    first = q("江阴三年行动计划里高企要净增多少？")
    follow = q("谁牵头？", [first])
    assert follow.intent == "task" and follow.cities == ("江阴市",)
    assert q("谁最高？", [q("南京十四五高企目标是多少？")]).intent == "compare"


def test_the_pieces_of_a_message_that_each_ask():
    from assistant.query import separate_asks
    assert separate_asks("南京的大学创新港要建几个，形成什么样的综合体？") == ["南京的大学创新港要建几个，", "形成什么样的综合体？"]
    assert separate_asks("南通高企目标是多少？2020年呢？") == ["南通高企目标是多少？", "2020年呢？"]
    assert separate_asks("南京和南通的研发强度目标分别是多少？") == []  # one ask
    assert separate_asks("我们是南京的一家高企，有什么支持？") == []  # a piece that asks nothing


def test_a_year_after_dao_does_not_look_ahead_against_words_that_look_back():
    """"到2020年底已经有多少了" looks back (已经); "到2025年要达到多少" and "到2025年南京高企目标多少" look ahead."""
    from assistant.query import period_of

    assert period_of("那到2020年底已经有多少了") == "past"
    assert period_of("到2025年要达到多少") == "target" and period_of("到2025年南京高企目标多少") == "target"
    assert period_of("企业研发投入到2025年要过多少亿") == "target"  # 过多少 looks back elsewhere, not after 到 and a year
