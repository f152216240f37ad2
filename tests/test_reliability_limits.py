"""Bounded uploads (issue 20 item 3): limits checked while reading, parse once, incremental indexing.

A .docx of 100 MB of XML / 1.25 M paragraphs in under 400 KB is refused by its declared XML size, and,
with that limit raised, by the paragraph counter after a small part of the XML (never by a timeout);
paragraph, page, clause and plan limits refuse with a Chinese message and leave the index as it
was. An upload parses its file once and re-parses no other plan, embeds only its own clauses, and
gives the same index a full rebuild gives.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import numpy as np
import pytest

from index import library as library_module
from index import build as build_module
from index.library import PlanLibrary, UploadError
from index.build import build_index, load_index
from index.versions import open_version

pytest_plugins = ("reliability_support",)

PLAN = (
    "镇江市科技创新示范计划\n\n一、总体目标\n\n到2025年，镇江市高新技术企业达到2500家。\n\n"
    "二、重点任务\n\n（一）建设创新平台\n\n支持企业建设省级以上研发机构，对新认定的省级研发机构给予50万元奖励。\n\n"
    "（二）培育创新主体\n\n实施科技型中小企业梯次培育计划，每年新增入库企业300家。\n"
)
PARAGRAPH = (b'<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r><w:t>'
             + "南京".encode() + b"</w:t></w:r></w:p>")


def docx_bomb(path: Path, paragraphs: int = 1_250_000) -> None:
    """A real Word package whose document.xml holds `paragraphs` paragraphs (100 MB), deflated to < 400 KB."""
    base = io.BytesIO()
    docx.Document().save(base)
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, source.read(item))
                continue
            head = source.read(item).partition(b"<w:body>")[0]
            with out.open("word/document.xml", "w") as f:
                f.write(head + b"<w:body>")
                for _ in range(paragraphs // 1000):
                    f.write(PARAGRAPH * 1000)
                f.write(b"</w:body></w:document>")


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "规划.docx"
    docx_bomb(path)
    return path


@pytest.fixture
def library(cloned_index) -> PlanLibrary:
    return PlanLibrary(cloned_index, max_bytes=20 * 1024 * 1024)


def test_the_bomb_is_what_the_red_team_sent(bomb):
    with zipfile.ZipFile(bomb) as archive:
        xml = archive.getinfo("word/document.xml").file_size
    assert bomb.stat().st_size < 400_000 and xml > 100_000_000


@pytest.mark.parametrize(("env", "message"), [
    ({}, "XML 解压后 .* MB，超过上限 32 MB"),
    ({"PLANQA_MAX_XML_MB": "500"}, "段落超过 20000 个"),  # the streaming counter, when the size limit lets it through
], ids=["declared-xml-size", "paragraph-counter"])
def test_a_docx_bomb_is_refused_by_its_limits_before_it_is_unpacked(cloned_index, library, bomb, monkeypatch, env,
                                                                    message):
    """Refused by the declared-size check (document.xml never opened) or, with that limit raised, by the streaming
    paragraph counter after a small part of the XML; python-docx never gets the file. bench/bench_limits.py times it."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    inflated: list[int] = []
    opened = zipfile.ZipFile.open

    def counting_open(archive, member, *args, **kwargs):
        stream = opened(archive, member, *args, **kwargs)
        if getattr(member, "filename", member) != "word/document.xml":
            return stream
        inflated.append(0)
        read = stream.read

        def counted(n=-1):
            block = read(n)
            inflated[-1] += len(block)
            return block

        stream.read = counted
        return stream

    def no_document(*args, **kwargs):
        raise AssertionError("python-docx was asked to load the bomb")

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    monkeypatch.setattr(docx, "Document", no_document)
    before, _ = open_version(cloned_index.index_dir)
    with pytest.raises(UploadError, match=f"无法读取该文件：.*{message}"):
        library.add(bomb, progress=False)
    with zipfile.ZipFile(bomb) as archive:
        xml = archive.getinfo("word/document.xml").file_size
    if env:  # the paragraph counter stopped at PLANQA_MAX_PARAGRAPHS (20000 of 1.25 M paragraphs)
        assert len(inflated) == 1 and 0 < inflated[0] < xml // 20, (inflated, xml)
    else:
        assert inflated == []
    assert open_version(cloned_index.index_dir)[0] == before and library.uploaded() == []


def _minimal_pdf(pages: int) -> bytes:
    """A valid PDF of `pages` empty pages (no text layer needed: the page count is checked first)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{' '.join(f'{3 + i} 0 R' for i in range(pages))}] /Count {pages} >>"]
    objects += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * pages
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


@pytest.mark.parametrize(("env", "name", "content", "message"), [
    ({"PLANQA_MAX_PARAGRAPHS": "40"}, "lines.txt", "\n".join(f"第{i}段：科技创新。" for i in range(60)),
     "段落超过 40 个"),
    ({"PLANQA_MAX_CHARS": "100"}, "long.txt", PLAN, "超过上限 100 字"),
    ({"PLANQA_MAX_CLAUSES": "3"}, "clauses.txt", PLAN, "超过每个规划 3 个的上限"),
    ({"PLANQA_MAX_PAGES": "5"}, "pages.pdf", _minimal_pdf(8), "PDF 有 8 页，超过上限 5 页"),
], ids=["paragraphs", "characters", "clauses", "pages"])
def test_limits_refuse_with_a_chinese_message_and_keep_the_index(cloned_index, library, tmp_path, monkeypatch, env,
                                                                 name, content, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before, _ = open_version(cloned_index.index_dir)
    with pytest.raises(UploadError, match=message):
        library.add(path, progress=False)
    assert open_version(cloned_index.index_dir)[0] == before and library.uploaded() == []


def test_the_plan_limit_refuses_a_new_plan_but_not_a_new_version(cloned_index, tmp_path):
    small = PlanLibrary(cloned_index.model_copy(update={"max_plans": 6}))
    first, second = tmp_path / "zhenjiang.txt", tmp_path / "other" / "suqian.txt"
    first.write_text(PLAN, encoding="utf-8")
    second.parent.mkdir()
    second.write_text(PLAN.replace("镇江", "宿迁"), encoding="utf-8")
    small.add(first, progress=False)
    with pytest.raises(UploadError, match="达到上限 6 个（PLANQA_MAX_PLANS）"):
        small.add(second, progress=False)
    first.write_text(PLAN.replace("2500家", "2600家"), encoding="utf-8")
    assert small.add(first, progress=False).message.startswith("已更新")


def test_an_upload_parses_once_embeds_its_own_clauses_and_matches_a_full_build(cloned_index, library, tmp_path,
                                                                               monkeypatch):
    calls = []
    parse = library_module.parse_file
    monkeypatch.setattr(library_module, "parse_file", lambda *a, **k: calls.append(a[0]) or parse(*a, **k))

    def no_full_parse(*args, **kwargs):
        raise AssertionError("an upload must not re-parse the library")

    monkeypatch.setattr(build_module, "load_corpus", no_full_parse)
    path = tmp_path / "zhenjiang.txt"
    path.write_text(PLAN, encoding="utf-8")
    change = library.add(path, progress=False)
    incremental = load_index(cloned_index)
    assert len(calls) == 1 and change.report.embedded == len(incremental.clause_ids_of(change.doc_id))
    version = incremental.version

    monkeypatch.undo()
    build_index(settings=cloned_index, progress=False)  # the same library, parsed and indexed in full
    full = load_index(cloned_index)
    for name in ("documents.jsonl", "clauses.jsonl", "headings.jsonl", "indicators.jsonl", "tasks.jsonl", "figures.jsonl", "tokens.jsonl"):
        assert (version / name).read_text(encoding="utf-8") == (full.version / name).read_text(encoding="utf-8"), name
    assert np.allclose(np.load(version / "embeddings.npy"), np.load(full.version / "embeddings.npy"), atol=1e-5)
    for question in ("镇江高新技术企业目标", "南京市研发投入", "新型研发机构奖励"):
        assert incremental.retriever.lexical.search(question, 10) .ids == full.retriever.lexical.search(question, 10).ids
        vector = full.encoder.encode_query(question)
        assert list(incremental.retriever.dense.search(vector, 10)[0]) == list(full.retriever.dense.search(vector, 10)[0])
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == json.loads((full.version / "manifest.json").read_text(encoding="utf-8"))["counts"]
