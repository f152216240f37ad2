"""The corpus of an index version: figures are computed when a plan is indexed, stored, and read back as ingest gave them."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.build import FIGURES_FILE, load_index, read_corpus
from index.versions import open_version
from ingest import load_corpus
from ingest.figures import document_figures

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"


@pytest.fixture(scope="module")
def figures() -> dict:
    return {d.meta.doc_id: document_figures(d) for d in load_corpus(PLANS).documents}


def test_the_index_stores_each_plans_figures_as_ingest_computes_them(built_index, figures):
    version, manifest = open_version(built_index.index_dir)
    assert FIGURES_FILE in manifest.files  # sealed with the version, checksum and all
    corpus = load_index(built_index).corpus
    assert set(corpus.docs) == set(figures)
    for doc_id in corpus.docs:
        assert corpus.figures_of(doc_id) == figures[doc_id], doc_id
    assert corpus.figures == [f for doc_id in corpus.docs for f in figures[doc_id]]
    assert corpus.figures_of("no-such-plan") == []
    for f in corpus.figures:
        assert corpus.source(f.doc_id)[f.char_start:f.char_end]


def test_a_version_written_before_figures_were_stored_gets_them_from_its_records(built_index, figures, tmp_path):
    version, _ = open_version(built_index.index_dir)
    old = tmp_path / version.name
    shutil.copytree(version, old)
    (old / FIGURES_FILE).unlink()
    corpus = read_corpus(old)
    assert {doc_id: corpus.figures_of(doc_id) for doc_id in corpus.docs} == figures
