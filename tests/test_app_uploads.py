"""Plans uploaded and removed through the app: safe names, content checks, incremental re-index, rollback."""
from __future__ import annotations

from pathlib import Path

import pytest
from app_support import private_index

from assistant.service import Assistant
from index.build import current_index
from index import library as library_module
from webui import render
from index.library import PlanLibrary, UploadError, safe_filename

ZHENJIANG = (
    "镇江市科技创新示范计划\n\n"
    "一、总体目标\n\n"
    "到2025年，镇江市高新技术企业达到2500家，全社会研发投入占地区生产总值比重达到3.2%。\n\n"
    "二、重点任务\n\n"
    "（一）建设创新平台\n\n"
    "支持企业建设省级以上研发机构，对新认定的省级研发机构给予50万元奖励。\n\n"
    "（二）培育创新主体\n\n"
    "实施科技型中小企业梯次培育计划，每年新增入库企业300家。\n"
)


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return private_index(tmp_path_factory.mktemp("app-uploads"))


@pytest.fixture
def library(settings):
    return PlanLibrary(settings, max_bytes=20 * 1024 * 1024, current_docs=lambda: current_index(settings).docs)


def version(settings) -> Path:
    return settings.index_dir.resolve()


@pytest.mark.parametrize(("name", "expected"), [
    ("../../x.txt", "x.txt"),
    ("..\\..\\windows\\规划.MD", "规划.md"),
    ("/etc/cron.d/job.html", "job.html"),
    ("镇江 科创 规划(2023).txt", "镇江_科创_规划(2023).txt"),
    (".hidden.pdf", "hidden.pdf"),
    ("..docx.docx", "docx.docx"),
    ("a\x00b\nc.txt", "abc.txt"),
    ("….txt", "plan.txt"),
    ("x" * 300 + ".docx", "x" * 115 + ".docx"),
])
def test_safe_filename_keeps_a_bare_name(name, expected):
    assert safe_filename(name) == expected


@pytest.mark.parametrize("name", ["plan.exe", "plan", "../../etc/passwd", "plan.txt.zip", "..", ""])
def test_safe_filename_refuses_other_types(name):
    with pytest.raises(UploadError, match="不支持的文件类型"):
        safe_filename(name)


def test_upload_is_indexed_incrementally_answered_and_removable(settings, library, tmp_path):
    before = version(settings)
    upload = tmp_path / "upload.txt"
    upload.write_bytes(ZHENJIANG.encode("gb18030"))  # a GB18030 file, as offices often save them
    change = library.add(upload, original_name="../../镇江 计划.txt", progress=False)
    assert library.uploaded() == ["镇江_计划.txt"]
    assert (settings.uploads_dir / "镇江_计划.txt").is_file() and not (settings.uploads_dir.parent / "镇江_计划.txt").exists()
    index = current_index(settings)
    assert version(settings) != before
    new = [d for d, m in index.docs.items() if m.file == "镇江_计划.txt"]
    assert len(new) == 1 and index.docs[new[0]].city == "镇江市"
    assert change.report.embedded == len(index.clause_ids_of(new[0]))  # only the new plan was embedded
    assert "已加入《镇江市科技创新示范计划》" in change.message
    table = render.plans_table(index, library.uploaded()).set_index("doc_id")
    assert table.loc[new[0], "来源"] == "上传" and table.loc["nanjing-2021", "来源"] == "内置"

    answer = Assistant.from_index(settings).ask("镇江到2025年高新技术企业要达到多少家？")
    assert "2500" in answer.text and {c.doc_id for c in answer.citations} == {new[0]}

    removed = library.remove("镇江_计划.txt", progress=False)
    assert library.uploaded() == [] and new[0] not in current_index(settings).docs
    assert removed.report.embedded == 0 and removed.report.documents == 5


def _png(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)


def _empty_docx(path: Path) -> None:
    from docx import Document

    Document().save(path)


@pytest.mark.parametrize(("name", "make", "message"), [
    ("empty.txt", lambda p: p.write_bytes(b""), "文件为空"),
    ("blank.txt", lambda p: p.write_text(" \n\n\t \n", encoding="utf-8"), "无法读取|没有可索引的正文"),
    ("image.txt", _png, "无法读取"),
    ("image.pdf", _png, "无法读取"),
    ("empty.docx", _empty_docx, "无法读取|没有可索引的正文"),
    ("program.exe", lambda p: p.write_text(ZHENJIANG, encoding="utf-8"), "不支持的文件类型"),
    ("nanjing-2021.txt", lambda p: p.write_text(ZHENJIANG, encoding="utf-8"), "doc_id “nanjing-2021” 已被"),
    ("nanjing-2021-sti-plan.txt", lambda p: p.write_text(ZHENJIANG, encoding="utf-8"), "与内置规划同名"),
])
def test_bad_upload_leaves_the_index_as_it_was(settings, library, tmp_path, name, make, message):
    before = version(settings)
    path = tmp_path / name
    make(path)
    with pytest.raises(UploadError, match=message):
        library.add(path, progress=False)
    assert version(settings) == before
    assert library.uploaded() == []


def test_oversized_upload_is_refused_before_reading(settings, tmp_path):
    small = PlanLibrary(settings, max_bytes=1024)
    path = tmp_path / "big.txt"
    path.write_text(ZHENJIANG * 20, encoding="utf-8")
    with pytest.raises(UploadError, match="文件过大.*上限"):
        small.add(path, progress=False)
    assert small.uploaded() == []


def test_failed_build_puts_the_uploads_back(settings, library, tmp_path, monkeypatch):
    before = version(settings)
    path = tmp_path / "ok.txt"
    path.write_text(ZHENJIANG, encoding="utf-8")

    def broken_build(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(library_module, "prepare_change", broken_build)
    with pytest.raises(UploadError, match="索引失败，规划库保持原状：disk full"):
        library.add(path, progress=False)
    assert library.uploaded() == [] and version(settings) == before


@pytest.mark.parametrize(("name", "message"), [
    ("nanjing-2021-sti-plan.txt", "内置规划"),
    ("../index", "没有"),
    ("../../data/plans/manifest.json", "没有"),
    ("missing.txt", "没有"),
])
def test_only_uploaded_plans_can_be_removed(settings, library, name, message):
    before = version(settings)
    with pytest.raises(UploadError, match=message):
        library.remove(name, progress=False)
    assert version(settings) == before
