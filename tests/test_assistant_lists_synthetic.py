"""List answers name the things asked for (assistant/composers/passages.py), on a made-up plan (东湖市) indexed for
this module: nothing depends on the shipped plans' wording."""
from __future__ import annotations

import pytest
from synthetic_support import assistant_over

EAST = """东湖市“十四五”科技创新规划

一、重点任务

（一）完善科技金融服务

完善科技金融服务体系，引导社会资本支持科技企业发展。支持信用贷款、股权质押贷款等融资服务，创新“湖易贷”支持方式。定期发布科技企业贷款需求清单，精准举办科技企业融资对接活动。推动银行开发银政合作产品，探索“湖创贷”“园区贷”等创新信贷产品，提高金融精准服务水平。

（二）推进产学研合作

积极推进与东湖大学、西山理工大学等高校院所的全面合作。深化与北岸科技园孵化平台的合作，定期开展产学研对接活动。

（三）发展先进制造业

发展高速列车、城市轨道车辆等轨道交通产品，壮大装备制造产业集群。
"""


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    return assistant_over({"donghu": EAST}, tmp_path_factory.mktemp("lists-synthetic"))


def test_the_asked_kinds_words_are_read_after_the_asking_word():
    from assistant.composers.passages import kind_words

    assert "产品" in kind_words("南京给科技企业贷款有哪些特色产品？")
    assert {"高校", "平台"} <= set(kind_words("句容产学研要跟哪些高校和孵化平台对接？"))
    assert kind_words("南京的研发强度目标是多少？") == ()


def test_a_list_question_gets_the_sentence_naming_things_of_the_asked_kind(qa):
    """"有哪些特色产品": the sentence naming “湖创贷”“园区贷” as 创新信贷产品 is quoted beside the one that shares
    the question's words (贷款需求清单), and products of another section (轨道交通产品) are not."""
    answer = qa.ask("东湖给科技企业贷款有哪些特色产品？")
    assert not answer.refused and "湖创贷" in answer.text and "轨道交通" not in answer.text, answer.text
    # a loan programme named by its head (“湖易贷”: 贷, the last character of 信贷) in another sentence of the section
    products = qa.ask("东湖给科技企业贷款有哪些新的信贷产品？")
    assert "湖创贷" in products.text and "湖易贷" in products.text, products.text
    partners = qa.ask("东湖产学研要跟哪些高校和孵化平台对接？")
    assert "东湖大学" in partners.text, partners.text
