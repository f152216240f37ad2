"""Bad input: a clear `IngestError` (or a sensible flat document), never a traceback, and nothing else lost."""
import io
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest

from ingest import SUPPORTED_EXTENSIONS, IngestError, load_corpus, parse_file, read_document

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"
NANTONG = PLANS / "nantong-2021-sti-plan.txt"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _refused(path: Path, *needles: str) -> str:
    with pytest.raises(IngestError) as info:
        read_document(path)
    message = str(info.value)
    assert message.startswith(path.name + ":"), message  # names the file
    for needle in needles:
        assert needle in message, message
    return message


# --- plain text ---------------------------------------------------------------------------------

def test_empty_file(tmp_path):
    _refused(_write(tmp_path / "empty.txt", b""), "没有可读取的文本", "no readable text", "empty")


def test_whitespace_only_file(tmp_path):
    _refused(_write(tmp_path / "blank.md", " \n\t\r\n\u3000\n".encode()), "没有可读取的文本", "whitespace")


def test_binary_file_renamed_txt(tmp_path):
    _refused(_write(tmp_path / "data.txt", bytes(range(256)) * 64), "binary")


def test_image_renamed_txt_says_what_it_is(tmp_path):
    _refused(_write(tmp_path / "scan.txt", PNG), "PNG", "not text")


def test_pdf_renamed_txt_says_what_it_is(tmp_path):
    _refused(_write(tmp_path / "plan.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "PDF")


def test_control_characters_without_nul_are_binary(tmp_path):
    _refused(_write(tmp_path / "ctl.txt", ("规划" + "\x01\x02\x03\x1b" * 50).encode()), "binary")


def test_a_few_stray_control_characters_are_tolerated(tmp_path):
    text = NANTONG.read_text(encoding="utf-8") + "\x0c\x1a"  # form feed, DOS end-of-file mark
    assert read_document(_write(tmp_path / "plan.txt", text.encode())) == text


def test_damaged_utf8_says_where(tmp_path):
    text = NANTONG.read_text(encoding="utf-8")
    at = len(text[:1000].encode())
    data = text[:1000].encode() + b"\xff" + text[1000:].encode()
    _refused(_write(tmp_path / "cut.txt", data), "UTF-8", f"byte {at}")


def test_gb18030_file_works(tmp_path):
    text = NANTONG.read_text(encoding="utf-8")
    doc = parse_file(_write(tmp_path / "nantong-gb.txt", text.encode("gb18030")))
    assert doc.text == text
    assert (doc.meta.city, doc.meta.title) == ("南通市", "南通市“十四五”科技创新规划")
    assert all(doc.text[c.char_start:c.char_end] == c.text for c in doc.clauses)


@pytest.mark.parametrize("name", ["plan.doc", "plan.xlsx", "plan.rtf", "README", "plan.txt.exe"])
def test_unknown_extension_lists_the_supported_ones(tmp_path, name):
    message = _refused(_write(tmp_path / name, "南京市科技创新规划".encode()), "unsupported")
    assert all(ext in message for ext in SUPPORTED_EXTENSIONS)


def test_file_with_no_headings_is_a_flat_document(tmp_path):
    text = "全市高新技术企业数量持续增长。\n\n研发投入占GDP比重逐年提高，创新生态不断优化。\n"
    doc = parse_file(_write(tmp_path / "notes.txt", text.encode()))
    assert doc.headings == []
    assert [c.text for c in doc.clauses] == ["全市高新技术企业数量持续增长。", "研发投入占GDP比重逐年提高，创新生态不断优化。"]
    assert all(doc.text[c.char_start:c.char_end] == c.text for c in doc.clauses)


def test_oversized_file_is_refused_without_being_read(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: 51 MB on paper, nothing on disk
        handle.truncate(51 * 1024 * 1024)
    tracemalloc.start()
    try:
        _refused(path, "51.0 MB", "50 MB", "too large")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024, f"peak {peak} bytes: the file was read"


def test_size_limit_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANQA_MAX_FILE_MB", "0.01")
    _refused(_write(tmp_path / "plan.txt", NANTONG.read_bytes()), "too large", "0.01 MB")


def test_missing_file_and_directory(tmp_path):
    _refused(tmp_path / "nope.txt", "not found")
    (tmp_path / "folder.txt").mkdir()
    _refused(tmp_path / "folder.txt", "not a regular file")


# --- docx -----------------------------------------------------------------------------------------

def test_text_file_renamed_docx(tmp_path):
    _refused(_write(tmp_path / "fake.docx", "这不是Word文档".encode()), "Word 文档", "not a valid Word document")


def test_image_renamed_docx_says_what_it_is(tmp_path):
    _refused(_write(tmp_path / "photo.docx", PNG), "PNG")


def test_zip_without_document_xml(tmp_path):
    _refused(_zip(tmp_path / "sheet.docx", {"xl/workbook.xml": b"<workbook/>"}), "word/document.xml")


def test_truncated_zip(tmp_path):
    good = io.BytesIO()
    docx.Document().save(good)
    _refused(_write(tmp_path / "cut.docx", good.getvalue()[:300]), "corrupt")


def test_document_xml_that_is_not_xml(tmp_path):
    _refused(_zip(tmp_path / "bad.docx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00garbage"}), "cannot")


def test_zip_bomb(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANQA_MAX_UNPACKED_MB", "2")  # same check as the 500 MB default, at test scale
    path = _zip(tmp_path / "bomb.docx", {"word/document.xml": b"<w:document/>", "word/media/x.bin": b"\0" * (16 << 20)})
    assert path.stat().st_size < 100_000
    _refused(path, "zip bomb", "16 MB")


def test_docx_with_no_text(tmp_path):
    d = docx.Document()
    d.add_paragraph("")
    d.add_table(rows=2, cols=2)
    d.save(tmp_path / "blank.docx")
    _refused(tmp_path / "blank.docx", "没有可读取的文本")


# --- pdf / html -----------------------------------------------------------------------------------

def test_text_file_renamed_pdf(tmp_path):
    _refused(_write(tmp_path / "fake.pdf", "规划全文".encode()), "PDF")


def test_broken_pdf(tmp_path):
    _refused(_write(tmp_path / "broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n"), "cannot parse the PDF")


def test_pdf_without_text_layer(tmp_path):
    pytest.importorskip("reportlab", reason="reportlab makes the test PDF (pip install reportlab)")
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(tmp_path / "scan.pdf"))
    pdf.rect(100, 100, 200, 200, fill=1)  # a drawing, like a scanned image: no text
    pdf.showPage()
    pdf.save()
    _refused(tmp_path / "scan.pdf", "没有可读取的文本", "OCR")


def test_html_with_only_script(tmp_path):
    _refused(_write(tmp_path / "app.html", b"<html><head><title>t</title></head><body><script>x()</script></body></html>"),
             "没有可读取的文本")


def test_binary_renamed_html(tmp_path):
    _refused(_write(tmp_path / "page.htm", PNG), "PNG", "not HTML")


# --- a corpus with bad files ----------------------------------------------------------------------

def test_bad_files_are_skipped_and_the_good_plans_are_unaffected(tmp_path):
    shutil.copytree(PLANS, tmp_path / "plans")
    bad = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 8,
        "fake.docx": b"not a zip",
        "fake.pdf": b"plain text",
        "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
    }
    for name, data in bad.items():
        _write(tmp_path / "plans" / name, data)
    (tmp_path / "plans" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # hidden files are not plans
    (tmp_path / "plans" / "sub").mkdir()  # nor are folders

    with_bad = load_corpus(tmp_path / "plans")
    clean = load_corpus(PLANS)

    assert sorted(e.file for e in with_bad.errors) == sorted(bad)
    assert all(e.message.startswith(e.file + ":") for e in with_bad.errors)
    assert [d.meta for d in with_bad.documents] == [d.meta for d in clean.documents]
    assert [d.clauses for d in with_bad.documents] == [d.clauses for d in clean.documents]
    assert sorted(d.meta.doc_id for d in with_bad.documents) == [
        "jiangyin-2020", "jurong-2022", "lianyungang-2021", "nanjing-2021", "nantong-2021"
    ]


def test_two_plans_with_the_same_doc_id(tmp_path):
    _write(tmp_path / "plan.md", NANTONG.read_bytes())
    _write(tmp_path / "plan.txt", NANTONG.read_text(encoding="utf-8").encode("gb18030"))
    result = load_corpus(tmp_path)
    assert [d.meta.file for d in result.documents] == ["plan.md"]
    [error] = result.errors
    assert error.file == "plan.txt"
    assert "doc_id" in error.message and "plan.md" in error.message


def test_manifest_listing_a_missing_file_is_a_warning(tmp_path):
    shutil.copy(NANTONG, tmp_path)
    (tmp_path / "manifest.json").write_text('{"documents": [{"file": "gone.txt", "doc_id": "gone"}]}', encoding="utf-8")
    result = load_corpus(tmp_path)
    assert len(result.documents) == 1 and not result.errors
    assert any("gone.txt" in w for w in result.warnings)


def test_a_parser_crash_on_one_file_is_reported_and_the_others_still_parse(tmp_path, monkeypatch):
    import ingest.corpus

    for name in ("a.txt", "b.txt"):
        _write(tmp_path / name, NANTONG.read_bytes())
    (tmp_path / "manifest.json").write_text(
        '{"documents": [{"file": "a.txt", "doc_id": "a"}, {"file": "b.txt", "doc_id": "b"}]}', encoding="utf-8"
    )
    real_parse = ingest.corpus.parse_text

    def flaky(text, meta):
        if meta.doc_id == "a":
            raise RuntimeError("boom")
        return real_parse(text, meta)

    monkeypatch.setattr(ingest.corpus, "parse_text", flaky)
    result = load_corpus(tmp_path)
    assert [d.meta.doc_id for d in result.documents] == ["b"]
    assert [(e.file, "internal error" in e.message and "boom" in e.message) for e in result.errors] == [("a.txt", True)]


def test_missing_directory(tmp_path):
    with pytest.raises(IngestError, match="no such directory"):
        load_corpus(tmp_path / "absent")

