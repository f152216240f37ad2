"""The corpus of an index version is ingest's output: figures computed when a plan is indexed and stored, read back as
ingest gave them; `index build --from` indexes an ingest output as written."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.build import build_index, load_index, prepare_change, read_corpus
from index.settings import IndexSettings
from index.versions import open_version, publish, seal, versions_dir
from ingest import load_corpus
from ingest.figures import document_figures
from ingest.output import FIGURES, RECORD_FILES, SOURCES, write_output

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"


@pytest.fixture(scope="module")
def figures() -> dict:
    return {d.meta.doc_id: document_figures(d) for d in load_corpus(PLANS).documents}


def test_the_index_stores_each_plans_figures_as_ingest_computes_them(built_index, figures):
    version, manifest = open_version(built_index.index_dir)
    assert FIGURES in manifest.files  # sealed with the version, checksum and all
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
    (old / FIGURES).unlink()
    corpus = read_corpus(old)
    assert {doc_id: corpus.figures_of(doc_id) for doc_id in corpus.docs} == figures


def test_index_build_from_an_ingest_output_indexes_it_as_written(built_index, tmp_path):
    """`python -m index build --from OUT` consumes what `python -m ingest` wrote: the version's corpus is that output."""
    out = tmp_path / "ingested"
    write_output(out, load_corpus(PLANS).documents)
    settings = IndexSettings(plans_dir=tmp_path / "no-plans", index_dir=tmp_path / "index", uploads_dir=tmp_path / "uploads")
    source, _ = open_version(built_index.index_dir)
    seed = versions_dir(settings.index_dir) / source.name
    shutil.copytree(source, seed)
    publish(seed, settings.index_dir)  # so the build reuses the vectors instead of embedding again
    report = build_index(settings=settings, progress=False, ingested=out)
    assert report.documents == 5 and report.embedded == 0, report
    version, _ = open_version(settings.index_dir)
    for name in RECORD_FILES:
        assert (version / name).read_bytes() == (out / name).read_bytes() == (source / name).read_bytes(), name
    for path in (out / SOURCES).iterdir():
        assert (version / SOURCES / path.name).read_bytes() == path.read_bytes() == (source / SOURCES / path.name).read_bytes()


def test_index_build_from_a_directory_that_is_no_ingest_output_is_a_clear_error(tmp_path, monkeypatch, capsys):
    from index.__main__ import main as index_cli

    monkeypatch.setenv("PLANQA_INDEX_DIR", str(tmp_path / "index"))
    (tmp_path / "empty").mkdir()
    assert index_cli(["build", "--from", str(tmp_path / "empty")]) == 2
    assert "not a complete ingest output" in capsys.readouterr().err


def test_a_change_to_a_version_written_before_figures_were_stored_stores_them(built_index, figures, tmp_path):
    """An upload or removal on an older version carries its plans' figures over, computed from their records."""
    settings = IndexSettings(plans_dir=tmp_path / "no-plans", index_dir=tmp_path / "index", uploads_dir=tmp_path / "uploads")
    source, manifest = open_version(built_index.index_dir)
    seed = versions_dir(settings.index_dir) / source.name
    shutil.copytree(source, seed)
    (seed / FIGURES).unlink()
    seal(seed, manifest)
    publish(seed, settings.index_dir)
    dropped = sorted(figures)[0]
    report = prepare_change(drop=[dropped], settings=settings)
    assert (report.version / FIGURES).is_file()
    corpus = read_corpus(report.version)
    assert {doc_id: corpus.figures_of(doc_id) for doc_id in corpus.docs} == {
        doc_id: f for doc_id, f in figures.items() if doc_id != dropped}
