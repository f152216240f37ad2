"""BM25 over the plans: retrieval on the real corpus, filters before top-k, persistence, a peer check.

Until the clause parser is wired in, the passages are the plans' non-empty lines (ids
"doc_id#line"), read straight from data/plans so this test depends on no ingest internals.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.lexical import LexicalIndex, LexicalIndexError
from index.settings import IndexSettings
from index.tokenize import PolicyTokenizer, default_tokenizer

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], list[str]]:
    manifest = json.loads((PLANS / "manifest.json").read_text(encoding="utf-8"))
    texts, ids = [], []
    for doc in manifest["documents"]:
        for number, line in enumerate((PLANS / doc["file"]).read_text(encoding="utf-8").splitlines()):
            if line.strip():
                texts.append(line.strip())
                ids.append(f"{doc['doc_id']}#{number}")
    return texts, ids


@pytest.fixture(scope="module")
def index(corpus) -> LexicalIndex:
    texts, ids = corpus
    return LexicalIndex.build(texts, ids)


@pytest.fixture(scope="module")
def text_of(corpus) -> dict[str, str]:
    return dict(zip(corpus[1], corpus[0]))


def of(index: LexicalIndex, doc_id: str) -> set[str]:
    return {i for i in index.ids if i.startswith(doc_id + "#")}


def test_abbreviated_question_finds_the_target_row_within_the_city(index, text_of):
    hits = index.search("南京高企数量目标", k=5, allowed=of(index, "nanjing-2021"))
    assert hits.ids and all(i.startswith("nanjing-2021#") for i in hits.ids)
    assert any("高新技术企业数" in text_of[i] for i in hits.ids), [text_of[i] for i in hits.ids]
    assert list(hits.scores) == sorted(hits.scores, reverse=True)


@pytest.mark.parametrize(
    ("question", "doc_id", "quote"),
    [
        ("连云港技术交易额目标", "lianyungang-2021", "年技术合同成交额（亿元）"),
        ("句容研发强度", "jurong-2022", "全社会研发投入占地区生产总值的比重"),
        ("南通研发强度到2025年", "nantong-2021", "全社会研发经费支出占GDP比重"),
        ("澄科贷是什么", "jiangyin-2020", "澄科贷"),
    ],
)
def test_questions_in_their_own_words_reach_the_plan_wording(index, text_of, question, doc_id, quote):
    hits = index.search(question, k=5, allowed=of(index, doc_id))
    assert any(quote in text_of[i] for i in hits.ids), [text_of[i][:40] for i in hits.ids]


def test_filter_applies_before_top_k(index):
    question = "江阴临港开发区高新技术企业数量"
    nanjing = of(index, "nanjing-2021")
    top10 = index.search(question, k=10)
    assert sum(i in nanjing for i in top10.ids) < 10  # filtering these afterwards would come up short
    everything = index.search(question, k=len(index))
    best_nanjing = [s for i, s in zip(everything.ids, everything.scores) if i in nanjing][:10]
    filtered = index.search(question, k=10, allowed=nanjing)
    assert len(filtered.ids) == 10 and set(filtered.ids) <= nanjing
    np.testing.assert_allclose(filtered.scores, best_nanjing)


def test_filter_excludes_other_plans_even_when_only_they_match(index):
    assert index.search("澄科贷", k=10).ids  # only 江阴 says 澄科贷
    hits = index.search("澄科贷", k=10, allowed=of(index, "nanjing-2021"))
    assert not any(i.startswith("jiangyin-2020#") for i in hits.ids)


def test_filter_forms_agree_and_an_empty_filter_returns_nothing(index):
    allowed = of(index, "nantong-2021")
    mask = np.array([i in allowed for i in index.ids])
    by_ids, by_mask = index.search("沿江科创带", 10, allowed), index.search("沿江科创带", 10, mask)
    assert by_ids.ids == by_mask.ids and np.array_equal(by_ids.scores, by_mask.scores)
    assert index.search("沿江科创带", 10, set()).ids == []
    assert index.search("沿江科创带", 10, {"no-such-plan#1"}).ids == []
    with pytest.raises(TypeError):
        index.search("沿江科创带", 10, "nantong-2021#5")
    with pytest.raises(TypeError):
        index.search("沿江科创带", 10, mask.astype(np.float32))
    with pytest.raises(ValueError):
        index.search("沿江科创带", 10, np.ones(3, dtype=bool))


def test_no_known_token_and_bad_k(index):
    assert index.search("？？ 的 了", 10).ids == []
    assert index.search("足球比赛门票价格", 10).ids == []
    with pytest.raises(ValueError):
        index.search("高企", 0)
    assert len(index.search("高新技术企业", k=10_000).ids) <= len(index)


def test_save_load_round_trip_is_identical(index, tmp_path):
    index.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert loaded.ids == index.ids
    allowed = of(index, "lianyungang-2021")
    for question in ("南京高企数量目标", "揭榜挂帅", "研发强度", "中华药港建设"):
        for filt in (None, allowed):
            a, b = index.search(question, 10, filt), loaded.search(question, 10, filt)
            assert a.ids == b.ids and np.array_equal(a.scores, b.scores)


def test_load_refuses_missing_partial_corrupt_or_foreign_directories(index, tmp_path):
    good = tmp_path / "good"
    index.save(good)
    with pytest.raises(LexicalIndexError, match="no lexical index.*python -m index build"):
        LexicalIndex.load(tmp_path / "absent")

    partial = tmp_path / "partial"
    shutil.copytree(good, partial)
    (partial / "vocab.index.json").unlink()
    with pytest.raises(LexicalIndexError, match="incomplete.*vocab.index.json"):
        LexicalIndex.load(partial)

    bad_meta = tmp_path / "bad_meta"
    shutil.copytree(good, bad_meta)
    (bad_meta / "lexical.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(LexicalIndexError, match="corrupt"):
        LexicalIndex.load(bad_meta)

    truncated = tmp_path / "truncated"
    shutil.copytree(good, truncated)
    data = truncated / "data.csc.index.npy"
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    with pytest.raises(LexicalIndexError, match="corrupt"):
        LexicalIndex.load(truncated)

    short_ids = tmp_path / "short_ids"
    shutil.copytree(good, short_ids)
    meta = json.loads((short_ids / "lexical.json").read_text(encoding="utf-8"))
    meta["ids"] = meta["ids"][:-1]
    (short_ids / "lexical.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(LexicalIndexError, match="corrupt"):
        LexicalIndex.load(short_ids)

    stop = tmp_path / "stop.txt"
    stop.write_text("的\n", encoding="utf-8")
    with pytest.raises(LexicalIndexError, match="another tokenizer"):
        LexicalIndex.load(good, tokenizer=PolicyTokenizer(stopwords_path=stop))


def test_build_rejects_bad_input():
    with pytest.raises(LexicalIndexError, match="one id per text"):
        LexicalIndex.build(["高企"], ["a", "b"])
    with pytest.raises(LexicalIndexError, match="nothing to index"):
        LexicalIndex.build([], [])
    with pytest.raises(LexicalIndexError, match="repeated: a"):
        LexicalIndex.build(["高企", "科小"], ["a", "a"])


def test_passages_without_tokens_are_indexed_but_never_returned():
    index = LexicalIndex.build(["——", "高新技术企业数 20000", "。"], ["x", "y", "z"])
    assert index.search("高企", 10).ids == ["y"]


def test_ids_default_to_positions(tmp_path):
    index = LexicalIndex.build(["科技型中小企业", "高新技术企业数 20000"])
    assert index.ids == [0, 1] and index.search("20000", 10).ids == [1]
    assert index.search("高企", 10, allowed=np.flatnonzero([False, True])).ids == [1]  # positions as an int array
    index.save(tmp_path)
    assert LexicalIndex.load(tmp_path).search("科小", 10).ids[0] == 0


@pytest.mark.parametrize(("method", "peer", "scale"), [("bm25+", "BM25Plus", 1.0), ("robertson", "BM25Okapi", 2.5)])
def test_scores_match_rank_bm25_on_one_plan(corpus, method, peer, scale):
    """Same tokens, same k1/b/delta: bm25s's scores equal rank_bm25's (Okapi's carry a constant
    (k1+1) factor), so the ranking is the peer's up to ties."""
    rank_bm25 = pytest.importorskip("rank_bm25", reason="rank-bm25 is the peer implementation (pip install rank-bm25)")
    texts = [t for t, i in zip(*corpus) if i.startswith("nanjing-2021#")]
    tok = default_tokenizer()
    settings = IndexSettings(bm25_method=method, bm25_k1=1.5, bm25_b=0.75)
    index = LexicalIndex.build(texts, list(range(len(texts))), tokenizer=tok, settings=settings)
    reference = getattr(rank_bm25, peer)([tok.tokenize_document(t) for t in texts], k1=1.5, b=0.75, **({"delta": 0.5} if method == "bm25+" else {}))
    for question in ("南京高企数量目标", "技术合同成交额", "新型研发机构", "研发强度", "紫金山实验室建设"):
        tokens = tok.expand_query(question)
        hits = index.search_tokens(tokens, 10)
        expected = reference.get_scores(tokens) / scale
        np.testing.assert_allclose(hits.scores, expected[hits.ids], rtol=1e-4)
        np.testing.assert_allclose(hits.scores, np.sort(expected)[::-1][: len(hits.ids)], rtol=1e-4)
