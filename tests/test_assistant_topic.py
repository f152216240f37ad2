"""Topic questions answered section-first from the policy taxonomy (assistant/composers/topic.py).

Checked on every shipped plan through its own labels: a taxonomy topic a plan has sections on is answered
from that plan, grouped by section, cited exactly, within about the answer budget, never refused.
"""
from __future__ import annotations

import re

import pytest
from test_assistant_answers import assert_exact, plan_text  # noqa: F401  (fixture)

from assistant.composers.topic import ANSWER_CHARS, asks_topic, specificity
from assistant.sections import all_nodes
from index.topics import read_topics, score_text


@pytest.mark.parametrize("question, intent, topic", [
    ("南通在科技金融方面有哪些举措？", "list", True),
    ("句容科技金融方面有哪些支持？", "eligibility", True),
    ("我们是高新技术企业，有哪些支持？", "eligibility", False),
    ("南京的重大工程有哪些？", "list", False),
    ("南京规划分哪几章？", "list", False),
    ("句容的“科才贷”是怎么回事？", "general", False),
    ("南通有哪些省级以上高新区？", "list", False),
    ("保障措施包括哪几个方面？", "list", False),  # the parts, not a topic
    ("南京的重点任务是怎么部署的？", "list", False),  # a part the plan names by its genre name
    ("南京吸引海外人才有哪些主要举措？", "list", True),
    ("南京的科技金融下一步咋发展？", "general", True),  # 咋 = 怎么
    ("南通对人才有啥政策？", "general", True),
    ("南通在知识产权保护上准备做些什么？", "general", True),  # "做些什么": what the plan will do
    ("在南京工作的高层次人才，生活上规划里有啥保障？", "list", True),  # "有啥保障" (not 保障措施, a part)
    ("句容的新材料产业主要搞什么？", "general", True),  # 搞什么 = 做什么
    ("南京在“双碳”上有哪些举措？", "list", True),  # a topic term in quotes is no name of the plan's own
    ("南京“科技金融”方面有哪些举措？", "list", True),
    ("连云港用哪些手段帮企业融资？", "list", True),  # 帮 asks what the plan does for someone, as 帮助 does
    ("江阴引进高端人才主要靠什么计划？", "general", True),  # 靠什么 asks by what means
])
def test_topic_questions_are_told_from_others(question, intent, topic):
    quoted = tuple(re.findall(r"“([^”]+)”", question))
    assert asks_topic(question, intent, quoted=quoted) is topic


def test_specifics_are_named_programmes_and_figures():
    assert specificity("加大“苏科贷”“通科贷”等产品普惠力度，形成总规模500亿元的投资基金群。") > specificity("营造良好创新生态。")


def _topic_sections(assistant):
    """(plan, topic) pairs where a section's own title names the topic: the plan surely has clauses on it."""
    pairs = {}
    for node in all_nodes(assistant.index.corpus):
        if node.kind != "section" or node.clause is None or not node.body():
            continue
        for topic in read_topics():
            if score_text("", [node.name]).get(topic.name, 0) >= 1 and topic.synonyms:
                pairs.setdefault((node.doc_id, topic.name), node)
    return pairs


@pytest.mark.parametrize("wording", [
    "{city}在{name}方面有哪些举措？",
    # parts no section, box or list of the plan is called: what the plan says on the topic, not a refusal
    "{city}在{name}上主攻哪几个细分方向？",
])
def test_a_topic_a_plan_has_sections_on_is_answered_from_that_plan_never_refused(assistant, plan_text, wording):  # noqa: F811
    pairs = _topic_sections(assistant)
    assert len({doc for doc, _ in pairs}) == 5
    for (doc_id, name), node in sorted(pairs.items()):
        city = assistant.index.docs[doc_id].city.removesuffix("市")
        answer = assistant.ask(wording.format(city=city, name=name))
        assert not answer.refused, (doc_id, name)
        assert answer.citations and all(c.doc_id == doc_id for c in answer.citations), (doc_id, name)
        assert_exact(answer, plan_text)


def test_a_topic_answer_is_grouped_by_section_within_the_budget_and_folds_the_rest(assistant, plan_text):  # noqa: F811
    answer = assistant.ask("南通在科技金融上准备怎么做？")
    assert answer.composer == "topic" and not answer.refused
    assert "【完善金融支持创新体系】" in answer.text  # the section about it, named and cited
    assert "投贷联动" in answer.text and "500亿元" in answer.text  # the sentences with the specifics
    items = re.findall(r"^\d+\. (.*)$", answer.text, flags=re.M)
    assert items and sum(len(re.sub(r"\[\d+\]", "", i)) for i in items) <= ANSWER_CHARS + 200
    assert_exact(answer, plan_text)


def test_a_topic_composer_scores_the_plan_once_whatever_thresholds_it_is_asked_at(assistant, monkeypatch):
    """The structural path asks at MIN_RELEVANCE and the rescue again at RESCUE_RELEVANCE: one scoring serves both."""
    from assistant.composers import topic
    from assistant.composers.context import Context
    from index.retriever import Filters

    calls = []
    real = topic.score_clauses
    monkeypatch.setattr(topic, "score_clauses", lambda *args, **kw: calls.append(args[1]) or real(*args, **kw))
    ctx = Context(index=assistant.index, query=assistant.understand("南通在科技金融上准备怎么做？"), filters=Filters(), hits=[])
    on_topic = topic.TopicComposer(ctx)
    first = on_topic.compose()
    assert first is not None and first.composer == "topic"
    assert on_topic.compose(topic.RESCUE_RELEVANCE).text == first.text  # a lower threshold: the same clauses
    assert on_topic.compose(float("inf")) is None  # no clause scores that much
    assert len(calls) == 1


def test_named_things_are_names_acronyms_figures_and_rare_generic_phrases():
    """A sentence's named things: quoted names, Latin acronyms, figures and phrases ending in a named suffix; a
    phrase ending in a weak suffix ("…体系") counts only where the plan uses it rarely."""
    from assistant.composers.topic import named_items, named_weight

    assert named_items("力争到2025年，累计申请PCT专利2000件。") == {"PCT", "2000"}
    assert named_items("研究碳捕集利用与封存(CCUS)前沿技术") == {"CCUS"}
    assert named_items("支持长三角碳中和战略发展研究院,开展研究。") == {"战略发展研究院"}
    assert "“生态眼”" in named_items("加快建设长江“生态眼”环境监测系统")
    generic = "完善推动知识产权高质量发展的政策体系，打通全链条。"
    assert named_items(generic, uses=lambda phrase: 1) == {"政策体系"}
    assert named_items(generic, uses=lambda phrase: 5) == set()  # a phrase many clauses use is no name
    assert named_weight({"政策体系"}) == 0.5 and named_weight({"研究院", "PCT"}) == 2.0


def test_a_long_clause_lists_its_sentences_that_name_things(assistant, plan_text):  # noqa: F811
    """A clause of more sentences than are listed keeps those naming programmes, acronyms and figures: the
    closing target (PCT专利2000件) of 南通's 知识产权 clause, not one more generic sentence."""
    answer = assistant.ask("南通在知识产权方面有哪些举措？")
    assert answer.composer == "topic"
    assert "PCT" in answer.text and "高价值专利培育示范中心" in answer.text
    assert_exact(answer, plan_text)


@pytest.mark.parametrize("question, kinds", [
    ("江阴要建哪些孵化园、科技园之类的载体？", ["孵化园"]),  # 科技 is an asking word: 园 is left, too short a kind
    ("连云港农业重点支持啥品种和模式", ["品种", "模式"]),
    ("南京双碳这块打算怎么搞？有啥具体工程", ["工程"]),
    ("南通新能源汽车方向支持了哪些企业干啥", ["企业"]),
    ("南京在碳达峰上有哪些科技举措？", []),  # 举措 is a frame word: no kind asked
    ("句容跟高校对接上有哪些具体动作？", []),
    ("南京、南通各自的本地人才计划叫什么名字？", ["本地人才计划"]),  # what is named comes before 叫什么名字
    ("江阴有哪些有本地特色的科技贷款产品？", ["贷款产品"]),  # 有…的 leads to the kind
])
def test_a_question_can_ask_for_things_of_a_kind_to_be_named(question, kinds):
    from assistant.composers.topic import asked_kinds

    assert asked_kinds(question) == kinds


def test_a_kind_matches_its_word_or_a_name_ending_in_its_genre_suffix():
    from assistant.composers.topic import names_kind

    assert names_kind("改造提升百桥生物孵化园，加速建设星河科创园。", ["孵化园"])
    assert names_kind("加速建设星河科创园。", ["孵化园"])  # …园: the genre suffix of 孵化园
    assert not names_kind("完善科技创新创业生态链条。", ["孵化园"])


def test_the_items_naming_an_asked_kind_are_listed_first(assistant, plan_text):  # noqa: F811
    """Asked for 产业园-like 载体, 江阴's answer lists the section naming its parks (百桥生物孵化园, 星河科创园), which
    scores below the 高新区 sections on the question's topics and was folded."""
    answer = assistant.ask("江阴未来三年打算建哪些产业园一类的载体？")
    assert answer.composer == "topic"
    assert "百桥生物孵化园" in answer.text and "星河科创园" in answer.text
    assert_exact(answer, plan_text)


@pytest.mark.parametrize("question, names", [
    ("南京双碳方面科技上怎么部署？", ["长三角碳中和战略发展研究院", "零碳未来城"]),
    ("南通纺织产业科技上怎么支持？", ["罗莱", "通州湾现代纺织产业园"]),
])
def test_a_short_clause_is_listed_whole(assistant, plan_text, question, names):  # noqa: F811
    """A clause whose sentences together are no longer than a sentence quoted whole is one item: its second
    sentence (支持长三角碳中和战略发展研究院… beside 推动研究成果率先在…零碳未来城示范应用) is not left to wait
    behind every other clause's first and folded."""
    answer = assistant.ask(question)
    assert answer.composer == "topic"
    assert all(name in answer.text for name in names), answer.text
    assert_exact(answer, plan_text)


def test_a_question_asking_for_specifics_lists_the_items_naming_things_first(assistant, plan_text):  # noqa: F811
    """"具体做法" names no kind, but asks for named things: 句容's 产学研 answer lists the item naming 零号湾 and
    零到壹 (a clause's later sentence, folded behind items naming nothing)."""
    answer = assistant.ask("句容在产学研合作上有哪些具体做法？")
    assert answer.composer == "topic"
    assert "零号湾" in answer.text and "零到壹" in answer.text
    assert_exact(answer, plan_text)


def test_a_clauses_sentence_naming_more_things_is_shown_first(assistant, plan_text):  # noqa: F811
    """Of 南通's "D载体与服务支撑" box item, the sentence naming 清华大学苏州汽车研究院南通电控实验室 is the one shown
    first, not a sentence naming less, so the lab is not folded behind every other clause's first sentence."""
    answer = assistant.ask("南通在新能源及智能网联汽车上有哪些举措？")
    assert answer.composer == "topic"
    assert "南通电控实验室" in answer.text and "海四达" in answer.text
    assert_exact(answer, plan_text)


def test_a_quoted_topic_term_is_a_name_only_where_a_part_of_the_plans_is_called_so(monkeypatch):
    """“双碳” is a topic term written in quotes; “空间布局”, wholly a topic term too, is a name where a part of the plans
    is titled so (an ordinal follow-up quotes the chapter it points at)."""
    from assistant.composers import topic

    monkeypatch.setattr(topic, "_part_titles", lambda corpus: frozenset({"空间布局"}))
    assert topic.quoted_names(("双碳", "科才贷")) == ("科才贷",)
    assert topic.quoted_names(("空间布局",)) == ()
    assert topic.quoted_names(("空间布局", "双碳"), corpus=object()) == ("空间布局",)


def test_a_quoted_subjects_target_follows_its_measures(assistant):
    """"城市“硅巷”到底怎么搞": the measures of the section on it, then its target from the plan's goals (超300万平方米)."""
    answer = assistant.ask("南京说的城市“硅巷”到底怎么搞？")
    assert answer.composer == "topic" and "高水平“硅巷”" in answer.text
    assert "目标：建成运营城市“硅巷”超300万平方米" in answer.text


def test_the_best_clauses_section_is_listed_with_it(assistant):
    """"城市公共安全和应急": the best clause's section (支撑安全韧性) is listed whole, its 社会安全风险防控大脑 too,
    although that clause scores below the keep ratio of the best."""
    answer = assistant.ask("南京在城市公共安全和应急这块有什么科技上的安排？")
    assert "加强公共安全技术研发" in answer.text and "社会安全风险防控大脑" in answer.text


def test_measures_compared_across_cities_are_each_citys_topic_answer(assistant, plan_text):  # noqa: F811
    """"南京和连云港在科技金融上的举措有什么不同": each city's own topic answer under its name, citations numbered on
    across both (a comparison of indicators stays a table)."""
    answer = assistant.ask("南京和连云港在科技金融上的举措有什么不同？")
    assert not answer.refused and answer.text.index("【南京市】") < answer.text.index("【连云港市】")
    assert "“宁创贷”" in answer.text and "“苏科贷”" in answer.text
    assert {c.doc_id for c in answer.citations} == {"nanjing-2021", "lianyungang-2021"}
    assert f"[{len(answer.citations)}]" in answer.text
    assert_exact(answer, plan_text)
    assert "| 城市 |" in assistant.ask("南京和南通的研发强度目标谁高？").text


def test_a_part_found_beside_the_named_topic_gives_way_to_the_topic(assistant):
    """"双碳方面有哪些科技项目打算" names 双碳: a part found by its word 科技 alone (科技创新现状) is not the answer, the
    plan's clauses on 双碳 are; a part whose name carries the asked topic (科技服务重点平台) is still listed."""
    carbon = assistant.ask("句容双碳方面有哪些科技项目打算，谁来做？")
    assert carbon.composer == "topic" and "台泥水泥" in carbon.text and "科技创新现状" not in carbon.text
    platforms = assistant.ask("连云港打造“中华药港”的科技服务重点平台有哪些？")
    assert platforms.composer == "outline" and platforms.citations[0].quote == "花果山医学科学中心"


def test_a_figure_asked_after_a_topic_piece_falls_back_to_the_topic(assistant):
    """"怎么用金融手段支持科技企业，基金搞多大": no figure is found for the last piece alone — the topic answer
    (which holds the fund's 500亿元) instead of a refusal."""
    answer = assistant.ask("南通打算怎么用金融手段支持科技企业，基金搞多大？")
    assert not answer.refused and answer.composer == "topic" and "500亿元" in answer.text


def test_a_topic_answer_closes_with_the_topics_goal_from_the_goals_section(assistant):
    """"句容在农业科技上准备怎么发力": the measures, then the goal the plan sets for the topic in its goals section
    (…农业科技型企业达 40 家以上, …贡献率达到 75%); a table row's labels (附件's 20.促进科技金融紧密结合) are no goal."""
    farming = assistant.ask("句容在农业科技上准备怎么发力？")
    goal = farming.text.split("目标：", 1)[1]
    assert "40 家以上" in goal and "75%" in goal
    patents = assistant.ask("江阴在知识产权保护上有啥打算？")  # an item states 到2022年…达25件: no second goal
    assert "目标：" not in patents.text
    finance = assistant.ask("江阴科技金融有哪些举措")
    assert "目标：激发" not in finance.text and not any("\n" in c.quote and "目标" in c.section for c in finance.citations[-1:])


def test_a_question_naming_two_topics_is_answered_on_each(assistant):
    """"本地人才怎么培养、怎么留住": 培养 (人才培养与评价) and 留住 (人才服务与安居) — the sections on each are listed,
    not only the one scoring best (注重本土人才培养)."""
    answer = assistant.ask("南通本地人才怎么培养、怎么留住？")
    assert "【注重本土人才培养】" in answer.text and "【优化人才发展环境】" in answer.text


def test_incentives_asked_are_a_topic_question(assistant):
    """"对企业研发投入有哪些激励", "有哪些鼓励…的优惠政策": 激励 / 鼓励 / 优惠 ask for measures, as 支持 does; 优惠政策
    is how people ask for 财税支持."""
    answer = assistant.ask("南通对企业研发投入有哪些激励？")
    assert answer.composer == "topic" and "研发投入" in answer.text.splitlines()[0]
    assert "财税支持" in assistant.ask("江阴有哪些鼓励企业创新的优惠政策？").text.splitlines()[0]


@pytest.mark.parametrize("question, section", [
    ("南京怎么整治学术不端？", "【强化科研作风学风建设】"),
    ("连云港怎么处理科研造假？", "【加强科研诚信和监督评价管理】"),
])
def test_research_integrity_is_a_topic_of_its_own(assistant, question, section):
    """科研诚信 / 作风学风 is a chapter of the genre: asked as 学术不端, 造假 or 失信 it is answered from that section,
    not from the reform chapter it sits in or from 科普 and culture."""
    answer = assistant.ask(question)
    assert answer.composer == "topic" and section in answer.text


@pytest.mark.parametrize("question, expected", [
    ("句容在双碳上具体做哪些事情？", "台泥水泥"),  # 事情 says what is asked, not what it is about
    ("南京对女性科技人员有没有专门的说法？", "女性科技人才"),  # 有没有 / 专门 / 说法 likewise
    ("句容有哪些有本地特色的科技贷款产品？", "科才贷"),  # a qualifier (有本地特色, 有代表性) picks, it names no topic
])
def test_asking_words_are_no_topic_words(assistant, question, expected):
    answer = assistant.ask(question)
    assert not answer.refused and expected in answer.text, answer.text


def test_a_section_title_is_weighed_without_the_words_no_plan_says(assistant):
    """"新材料产业在技术上要重点突破哪些东西": 东西 and 在技术上 are said by no plan, so they weigh no title; 新材料产业 is then
    the section asked about, and its clauses (碳纤维, 钛合金) are listed, not the other industries'."""
    from assistant.composers.scoring import TopicScorer

    scorer = TopicScorer.for_words("新材料产业 哈哈哈东西", assistant.index)
    assert len(scorer.said_in(assistant.index).units) < len(scorer.units)
    answer = assistant.ask("句容新材料产业在技术上要重点突破哪些东西？")
    assert answer.composer == "topic" and "碳纤维" in answer.text and "钛合金" in answer.text, answer.text


def test_a_long_sentence_naming_things_in_two_places_shows_both(assistant, plan_text):
    """A section of one long sentence names “一港三园” and 宝华5公里创新圈 in its middle and “枢纽+产业” near its end: the
    answer shows both windows, not the one with the most named things alone."""
    answer = assistant.ask("靠着宁句城际、南沿江高铁这些交通优势，句容在空间上怎么布局产业和创新？")
    assert "一港三园" in answer.text and "宝华 5 公里创新圈" in answer.text and "枢纽+产业" in answer.text
    assert_exact(answer, plan_text)


def test_a_topic_asked_in_its_colloquial_synonym_is_answered_from_the_topics_clauses(assistant):
    """"怎么帮科技企业解决融资难": 融资难 is how people say 科技金融, and plans never write it — when nothing scores on the
    words as said, the synonym is left to the topic labels, and the plan's finance clauses answer (not a refusal)."""
    answer = assistant.ask("连云港有什么办法缓解科技型企业融资难？")
    assert not answer.refused and "苏科贷" in answer.text


@pytest.mark.parametrize("question, open_list", [
    ("句容搞产学研对接有什么模式和活动？", True),
    ("南京对科研作风学风有哪些要求？", True),
    ("连云港科技型企业融资能用上哪些金融产品？", True),
    ("句容产学研要跟哪些高校和孵化平台对接？", False),  # organisations: their names, where the plan lists them
    ("江阴针对新生代企业家有什么培养工程？", False),  # a part noun: the parts of that name
    ("句容的科创基金规模准备搞多大？", False),  # a figure
    ("重点任务分成哪几块？", False),  # parts by number
])
def test_a_list_question_in_no_topic_frame_is_told_from_names_parts_and_figures(question, open_list):
    from assistant.composers.topic import asks_open_list

    assert asks_open_list(question) is open_list


def test_a_list_question_in_no_topic_frame_is_answered_from_the_section_on_it(assistant, plan_text):  # noqa: F811
    """"有什么模式和活动", "有哪些要求" frame no topic, and no part of the plan is called so: the section the question's
    words are about answers (“2+6” and 海外院士句容行 of 句容's 产学研 section; 圈子 and 应酬性 of 南京's 学风 section), not the
    best one or two sentences wherever they stand; "跟哪些高校对接" still names the universities."""
    answer = assistant.ask("句容产学研对接有什么模式和活动？")
    assert answer.composer == "topic" and "2+6" in answer.text and "海外院士句容行" in answer.text, answer.text
    assert_exact(answer, plan_text)
    answer = assistant.ask("南京对科研作风学风提了哪些要求？")
    assert "圈子" in answer.text and "应酬性" in answer.text, answer.text
    answer = assistant.ask("句容产学研要跟哪些高校对接？")
    assert answer.composer == "list" and "南京大学" in answer.text, answer.text


def test_a_section_that_clearly_wins_is_listed_whole_beyond_the_answer_budget(assistant, plan_text):  # noqa: F811
    """南京's 新型研发机构提质增效工程 box is the section a question on 新型研发机构 is about: its items are the answer, listed
    whole (退出机制 and 概念验证中心 are its last items) within WHOLE_SECTION_CHARS, not cut at ANSWER_CHARS."""
    from assistant.composers.topic import WHOLE_SECTION_CHARS

    answer = assistant.ask("南京的新型研发机构具体打算怎么搞？")
    assert answer.composer == "topic", answer.text
    for name in ("退出机制", "概念验证中心", "科技云服务平台", "双向拓展"):
        assert name in answer.text, (name, answer.text)
    listed = sum(len(c.quote) for c in answer.citations)
    assert ANSWER_CHARS < listed <= WHOLE_SECTION_CHARS + 200, listed
    assert_exact(answer, plan_text)


def test_the_folded_items_quoted_names_are_named_after_the_count(assistant, plan_text):  # noqa: F811
    """When items are folded ("另有 N 条"), the quoted names they carry (“科技云服务平台”) are named and cited after the
    count, so a reader sees what else the plan names on the topic."""
    answer = assistant.ask("南京那些新研机构下一步怎么提升质量和效益？")
    folded = answer.text[answer.text.index("另有"):]
    assert "“科技云服务平台”" in folded and "“城市+母校+校友”" in folded, folded
    assert_exact(answer, plan_text)


def test_a_part_asked_for_what_it_supports_is_listed_with_its_measures_not_its_sub_headings_alone(assistant, plan_text):  # noqa: F811
    """"南通生物医药重点支持哪些技术方向": the section's sub-section titles alone (疫苗、检测与药物 …) name no direction
    it supports; the topic answer lists the same sub-sections with their measures (cfDNA, 千鼠万抗 …). A question in
    no topic frame ("要建哪些重大科技基础设施") still gets the part's list."""
    answer = assistant.ask("南通生物医药重点支持哪些技术方向？")
    assert answer.composer == "topic" and "【疫苗、检测与药物】" in answer.text and "cfDNA" in answer.text, answer.text
    assert_exact(answer, plan_text)
    assert assistant.ask("南京重大工程二里要建哪些重大科技基础设施？").composer == "outline"
    # a count, or a frame word inside the noun asked for (重点工程), is no topic frame: the part's list stands
    assert assistant.ask("连云港规划第三部分一共有几大重点工程？").composer == "outline"
