"""The one sentence splitter (ingest/sentences.py): where sentences end, with and without ；."""
from __future__ import annotations

from ingest.sentences import FULL_STOPS, ends_sentence, sentence_cuts, sentence_spans, sentence_start, split_sentences


def test_closing_quotes_stay_with_their_sentence():
    text = "他说“建设创新城市。”到2025年达到5000家！"
    assert split_sentences(text) == ["他说“建设创新城市。”", "到2025年达到5000家！"]
    assert sentence_cuts(text) == [len("他说“建设创新城市。”")]


def test_semicolon_ends_a_sentence_unless_full_stops_only():
    text = "到2025年，高企达到3000家；研发投入占比3.5%。南京呢？"
    assert split_sentences(text) == ["到2025年，高企达到3000家；", "研发投入占比3.5%。", "南京呢？"]
    assert split_sentences(text, FULL_STOPS) == ["到2025年，高企达到3000家；研发投入占比3.5%。", "南京呢？"]
    at = text.index("研发")
    assert sentence_start(text, at) == at
    assert sentence_start(text, at, FULL_STOPS) == 0  # the ；-list shares its lead year


def test_spans_cover_the_text_and_blank_pieces_drop():
    text = "甲。  乙；\n"
    spans = sentence_spans(text)
    assert "".join(text[a:b] for a, b in spans) == text
    assert split_sentences(text) == ["甲。", "  乙；"]  # the trailing line break alone is blank
    assert split_sentences("   ") == []


def test_ends_sentence():
    assert ends_sentence("加快建设。") and ends_sentence("加快建设；")
    assert not ends_sentence("加快建设") and not ends_sentence("")
