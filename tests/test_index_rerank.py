"""The feature reranker: each feature on hand-made clauses, the scoring rule, and the shipped weights."""
import json
from pathlib import Path

import pytest

from index.rerank import (
    RerankWeights,
    SearchHints,
    bigrams,
    coverage,
    features,
    phrase_ends,
    rerank,
    states_figure,
    weigh,
)
from ingest.records import Clause

TUNED = Path(__file__).resolve().parents[1] / "index" / "tuned.json"


def clause(text, section=("三、重点任务",), kind="paragraph", cells=None, caption=None, i=0):
    return Clause("doc", f"doc#{i}", tuple(section), text, 0, len(text), kind, cells=cells, caption=caption)


def test_bigrams_skip_function_characters_and_keep_numbers_whole():
    assert bigrams("高新区在全国") == {"高新", "新区", "全国"}  # 区在, 在全 span two words
    assert bigrams("研发强度2.5%") == {"研发", "发强", "强度", "2.5"}


def test_coverage_counts_weights_and_weigh_prefers_rare_bigrams():
    grams = {"星级", "企业"}
    texts = ["企业星级评定", "企业发展", "企业培育", "企业上市"]
    w = weigh(grams, texts)
    assert w["星级"] > w["企业"]  # every candidate says 企业
    assert coverage(w, "对孵化器开展星级评定") > coverage(w, "支持企业发展")
    assert coverage(grams, "企业") == 0.5 and coverage(set(), "x") == 0.0


def test_states_figure_needs_the_figure_next_to_the_phrase():
    def after(text, phrase):
        return states_figure(text, phrase_ends(text, (phrase,)))
    assert after("有效高新技术企业数实现倍增，突破1000家；", "高新技术企业")
    assert not after("培育高新技术企业，完善服务体系，建设平台，到2025年建成", "高新技术企业")
    assert not after("到2025年高新技术企业", "高新技术企业")  # a year is not a figure
    assert states_figure("高企3000家", [0]) and not states_figure("高企3000家", [len("高企3000家")])  # from where it is asked


def test_period_and_year_features():
    review = clause("2020年全社会研发投入占比达2.24%。", section=("一、把握新形势", "（一）发展基础"))
    goals = clause("到2025年全社会研发投入占比达2.5%。", section=("一、把握新形势", "（五）发展目标"))
    attachment = clause("全社会研发投入占GDP的比重达3.3%。", section=("附件：三年行动计划2020年重点工作目标",), kind="table_row")
    past, ahead = SearchHints(period="past"), SearchHints(period="target", year=2022)
    assert features(review, past, None)["period_match"] == 1 and features(review, ahead, None)["period_conflict"] == -1
    assert features(goals, ahead, None)["period_match"] == 1
    assert features(attachment, ahead, None)["year_conflict"] == -1  # its section is about 2020, not 2022
    assert features(goals, SearchHints(), None)["year_conflict"] == 0


def test_indicator_row_and_heading_features():
    row = clause("高新技术企业数(家)\n6507\n20000", kind="table_row", cells=("高新技术企业数(家)", "6507", "20000"))
    heading = clause("（二）强化企业创新主体地位", kind="heading")
    hints = SearchHints(phrases=("高新技术企业",), numeric=True, cities=("南京市",), topic="高新技术企业")
    f = features(row, hints, "南京市")
    assert f["phrase_in_row"] == f["table_row_numeric"] == f["city_match"] == f["topic_coverage"] == 1
    assert f["states_figure"] == 0  # a table row is read as a row, not as a sentence
    assert features(heading, hints, "南京市")["heading_penalty"] == -1
    assert set(f) == set(RerankWeights.names())


def test_rerank_adds_weighted_features_to_the_fused_score():
    clauses = [
        clause("加快培育高新技术企业，完善服务。", i=0),
        clause("高新技术企业突破3600家。", i=1),
    ]
    hints = SearchHints(phrases=("高新技术企业",), numeric=True, topic="高新技术企业")
    only_fused = RerankWeights(**{n: 0.0 for n in RerankWeights.names()})
    assert [i for i, _ in rerank([(0, 0.9), (1, 0.5)], clauses, [None, None], hints, only_fused)] == [0, 1]
    figure = RerankWeights(**{**{n: 0.0 for n in RerankWeights.names()}, "states_figure": 0.5})
    ranked = rerank([(0, 0.9), (1, 0.5)], clauses, [None, None], hints, figure)
    assert [i for i, _ in ranked] == [1, 0] and ranked[0][1] == pytest.approx(1.0)


def test_shipped_weights_are_fitted_and_load():
    tuned = json.loads(TUNED.read_text(encoding="utf-8"))
    weights = RerankWeights(**tuned["rerank"])  # every key is a feature: a stale file fails here
    assert set(tuned["rerank"]) == set(RerankWeights.names())
    assert all(weights.weight(n) >= 0 for n in RerankWeights.names())  # signs live in the features
    assert abs(tuned["fusion"]["dense"] + tuned["fusion"]["lexical"] - 1) < 1e-6
    assert tuned["fitted_on"]["cv_folds"] >= 2 and 0 < tuned["fitted_on"]["cv_mrr10"] <= 1


def test_tuned_weights_read_the_shipped_file_and_default_what_it_omits(tmp_path):
    from index.fusion import FusionWeights
    from index.retriever import TUNED_WEIGHTS, tuned_weights

    assert TUNED_WEIGHTS == TUNED
    fusion, rerank = tuned_weights()
    tuned = json.loads(TUNED.read_text(encoding="utf-8"))
    assert fusion == FusionWeights(**tuned["fusion"]) and rerank == RerankWeights(**tuned["rerank"])
    assert tuned_weights(tmp_path / "absent.json") == (FusionWeights(), RerankWeights())
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"rerank": {"year_match": 0.5}}), encoding="utf-8")
    assert tuned_weights(partial) == (FusionWeights(), RerankWeights(year_match=0.5))
