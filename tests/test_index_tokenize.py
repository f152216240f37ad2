"""jieba tokens for BM25: policy terms, search-mode sub-tokens, normalisation, synonyms, resources."""
from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from index.settings import IndexSettings
from index.terms import candidates, check, read_plans
from index.tokenize import (
    PolicyTokenizer,
    ResourceError,
    default_tokenizer,
    expand_query,
    normalize,
    read_synonyms,
    tokenize_document,
)

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"


@pytest.fixture(scope="module")
def tok() -> PolicyTokenizer:
    return default_tokenizer()


@pytest.fixture(scope="module")
def plans() -> dict[str, str]:
    return read_plans(PLANS)


def test_policy_terms_stay_whole_with_their_sub_tokens():
    tokens = tokenize_document("到2025年，高新技术企业数达到20000家，实施揭榜挂帅")
    assert {"高新技术企业", "高新", "技术", "企业", "高新技术", "揭榜挂帅", "揭榜", "挂帅"} <= set(tokens)
    assert {"2025", "20000"} <= set(tokens)
    tokens = tokenize_document("科技型中小企业和万人发明专利拥有量")
    assert {"科技型中小企业", "中小企业", "万人发明专利拥有量", "发明专利", "拥有量"} <= set(tokens)


def test_one_token_per_span_and_spans_point_into_the_normalised_text(tok):
    text = "全市高新技术企业总数从2015年1274家增至2020年6507家；高新技术企业培育库入库企业达142家。"
    spans = tok.spans(text)
    assert len({(s.start, s.end) for s in spans}) == len(spans)
    norm = normalize(text)
    assert all(norm[s.start : s.end] == s.text for s in spans)
    # the compound counts once per occurrence, and its sub-token 企业 once per enclosing word
    tokens = [s.text for s in spans]
    assert tokens.count("高新技术企业") == 2
    assert tokens.count("企业") == 3  # inside 高新技术企业 ×2, and the word 企业 after 入库


def test_stop_words_punctuation_and_whitespace_are_dropped():
    tokens = tokenize_document("请问：南京的高新技术企业　有多少家？（2025年）")
    assert not {"请问", "的", "有", "多少", "：", "？", "（", "）", " ", "\u3000"} & set(tokens)
    assert {"南京", "高新技术企业", "家", "2025", "年"} <= set(tokens)


def test_full_width_digits_and_latin_are_normalised():
    tokens = tokenize_document("２０２５年达到２００００家，占ＧＤＰ比重３．５％，R&D投入")
    assert {"2025", "20000", "3.5", "gdp", "r&d"} <= set(tokens)
    assert not any(ch in "".join(tokens) for ch in "０２５ＧＤＰ％")


def test_numbers_stay_whole_even_without_hmm():
    assert IndexSettings().jieba_hmm is False
    assert {"3.48", "515", "66.5"} <= set(tokenize_document("全社会研发经费支出515亿元，占GDP比重3.48%，科技进步贡献率66.5%"))


def test_abbreviations_expand_to_the_plans_wording():
    assert "高新技术企业" in expand_query("南京高企数量目标")
    assert "科技型中小企业" in expand_query("科小入库多少家")
    assert "技术合同成交额" in expand_query("技术交易额有多少")
    assert "创新创业" in expand_query("双创载体")
    assert "科技企业孵化器" in expand_query("孵化器建设")
    strength = expand_query("研发强度目标")
    assert {"全社会研发投入", "研发经费支出", "gdp", "比重", "生产总值"} <= set(strength)
    assert len(strength) == len(set(strength)), "each query token once"


def test_one_character_city_abbreviations_only_where_they_are_cities():
    assert "南京" in expand_query("宁高企数量目标")
    assert "南京" in expand_query("在宁高校院所")
    assert "南京" in expand_query("宁句城际沿线")
    assert "南通" in expand_query("来通设立研发机构")
    assert "南通" in expand_query("沪通科技创新合作")
    assert "江阴" in expand_query("驻澄单位")
    assert "连云港" in expand_query("港城的技术交易额")
    for text in ("通过揭榜挂帅支持企业", "互联互通", "宁可少报", "科贷通", "政策一本通", "南京和南通"):
        expanded = set(expand_query(text)) - set(tokenize_document(text))
        assert not expanded & {"南京", "南通", "江阴", "连云港"}, text


def test_synonym_table_is_checked_against_the_corpus(tok, plans):
    corpus = normalize("\n".join(plans.values()))
    assert len(tok.synonyms) >= 30
    for key, synonym in tok.synonyms.items():
        for form in synonym.expansions:
            assert form in corpus, f"{key} → {form}: the plans never say {form}"
        if len(key) > 1 and synonym.kind == "term":  # city names are found by query understanding, not by jieba
            assert [w.text for w in tok.words(key)] == [key], f"jieba does not yield {key} whole"


def test_policy_dictionary_is_used_and_needs_no_review(tok, plans):
    assert len(tok.terms) >= 150
    assert check(plans, tok) == []


def test_term_candidates_come_from_the_corpus(plans):
    found = {c.term: c for c in candidates(plans)}
    assert found["揭榜挂帅"].source == "quoted" and found["揭榜挂帅"].count == 10
    assert found["科技进步贡献率"].source == "indicator"  # a table row of several plans
    assert "科技企业孵化器" in found and found["科技企业孵化器"].source == "compound"


def test_private_jieba_leaves_the_global_one_alone(tok):
    assert tok._jieba is not jieba.dt
    assert not jieba.dt.FREQ.get("揭榜挂帅")


def test_loading_is_quiet_and_fingerprint_follows_the_document_resources(tmp_path, tok, capfd):
    stop = tmp_path / "stop.txt"
    stop.write_text("的\n", encoding="utf-8")
    other = PolicyTokenizer(stopwords_path=stop)
    err = capfd.readouterr().err
    assert "prefix dict" not in err and "Loading model" not in err
    assert other.fingerprint != tok.fingerprint
    assert other.tokenize_document("南京的高企") == ["南京", "高企"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("terms.txt", "高新技术企业 many n\n", "terms.txt:1"),
        ("syn.tsv", "高企 高新技术企业\n", "syn.tsv:1"),
        ("syn.tsv", "通\t南通\tterm\n", "only allowed as a city"),
        ("syn.tsv", "高企\t高新技术企业\n高企\t高新技术企业\n", "duplicate key"),
        ("syn.tsv", "高企\t高新技术企业\tregion\n", "kind must be"),
    ],
)
def test_malformed_resources_name_file_and_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    kwargs = {"terms_path": path} if name == "terms.txt" else {"synonyms_path": path}
    with pytest.raises(ResourceError, match=message):
        PolicyTokenizer(**kwargs)


def test_missing_resource_is_a_clear_error(tmp_path):
    with pytest.raises(ResourceError, match="cannot read"):
        read_synonyms(tmp_path / "absent.tsv")


def test_one_term_table_holds_synonyms_cities_and_concepts():
    """index/resources/terms.tsv is the one term table (its kind column says which rows are which); the rule word
    lists of query understanding sit beside it in question_words.tsv (assistant/lexicon.py)."""
    from index.tokenize import TERMS, read_concepts

    concepts = dict(read_concepts())
    synonyms = read_synonyms(TERMS)
    assert len(concepts) >= 20 and "高企" in concepts["高新技术企业数"]
    assert synonyms["高企"].expansions == ("高新技术企业",) and synonyms["宁"].kind == "city"
    assert not set(concepts) & {k for k, s in synonyms.items() if s.kind == "city"}
    assert {"terms.tsv", "question_words.tsv"} <= {p.name for p in TERMS.parent.glob("*.tsv")}
    from assistant.query import EXTRA_ALIASES, OTHER_PLACES, SHORT_ALIASES
    from index.tokenize import read_places

    assert OTHER_PLACES == read_places() and "苏州" in OTHER_PLACES and SHORT_ALIASES["宁"] == "南京" and EXTRA_ALIASES["暨阳"] == "江阴"
