"""Readers: every format yields the text a person sees, and offsets into it are exact."""
import codecs
from pathlib import Path

import docx
import pytest

from ingest import parse_file, read_document
from ingest.readers import decode_text

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"
NANJING = PLANS / "nanjing-2021-sti-plan.txt"
JURONG = PLANS / "jurong-2022-sti-plan.txt"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _assert_offsets_exact(path: Path) -> None:
    doc = parse_file(path)
    assert doc.clauses, "a document with text must yield clauses"
    for clause in doc.clauses:
        assert doc.text[clause.char_start:clause.char_end] == clause.text


def test_utf8_plan_is_read_byte_for_byte():
    assert read_document(NANJING) == NANJING.read_bytes().decode("utf-8")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_other_encodings_of_a_real_plan_decode_to_the_same_text(tmp_path, encoding):
    text = NANJING.read_text(encoding="utf-8")
    path = _write(tmp_path / "plan.txt", text.encode(encoding))
    assert read_document(path) == text


def test_gb18030_text_is_exactly_the_bytes_decoded(tmp_path):
    text = JURONG.read_text(encoding="utf-8")
    path = _write(tmp_path / "jurong.txt", text.encode("gb18030"))
    assert read_document(path) == path.read_bytes().decode("gb18030") == text
    _assert_offsets_exact(path)


def test_gbk_file_decodes(tmp_path):
    text = JURONG.read_text(encoding="utf-8")  # this plan is within GBK
    assert read_document(_write(tmp_path / "jurong-gbk.md", text.encode("gbk"))) == text


@pytest.mark.parametrize("sample", ["科技", "南京市科技局", "一、发展基础\n高新技术企业数达到3600家。"])
def test_short_gb18030_texts_are_not_mistaken_for_korean_or_big5(sample):
    assert decode_text(sample.encode("gb18030")) == sample


def test_crlf_line_endings_are_kept_so_offsets_match_the_file(tmp_path):
    text = "南通市科技创新规划\r\n\r\n一、发展基础\r\n全市科技进步贡献率达65.5%。\r\n"
    path = _write(tmp_path / "crlf.txt", text.encode("utf-8"))
    assert read_document(path) == text


def test_docx_paragraphs_and_tables_in_body_order(tmp_path):
    d = docx.Document()
    d.add_paragraph("苏州市“十四五”科技创新规划")
    d.add_heading("发展基础", level=1)
    d.add_paragraph("全市高新技术企业数达到11165家。")
    d.add_paragraph("")  # empty paragraphs are dropped
    table = d.add_table(rows=3, cols=3)
    rows = [("指标", "2020年", "2025年"), ("高新技术企业数（家）", "11165", "15000"), ("研发投入占比（%）", "3.78", "4左右")]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("二、主要任务")
    path = tmp_path / "suzhou.docx"
    d.save(path)

    text = read_document(path)
    assert text == (
        "苏州市“十四五”科技创新规划\n\n# 发展基础\n\n全市高新技术企业数达到11165家。\n\n"
        "指标\t2020年\t2025年\n高新技术企业数（家）\t11165\t15000\n研发投入占比（%）\t3.78\t4左右\n\n二、主要任务"
    )
    _assert_offsets_exact(path)


def test_docx_multi_paragraph_cell_stays_on_its_row(tmp_path):
    d = docx.Document()
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "任务"
    cell = table.cell(0, 1)
    cell.text = "第一段"
    cell.add_paragraph("第二段")
    path = tmp_path / "cells.docx"
    d.save(path)
    assert read_document(path) == "任务\t第一段 第二段"


def test_pdf_pages_joined_with_a_blank_line(tmp_path):
    pytest.importorskip("reportlab", reason="reportlab makes the test PDF (pip install reportlab)")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # a standard CJK font: no font file needed
    path = tmp_path / "wuxi.pdf"
    pdf = canvas.Canvas(str(path))
    for lines in (["无锡市“十四五”科技创新规划", "一、发展基础"], ["二、主要目标", "研发投入占GDP比重达3.5%。"]):
        pdf.setFont("STSong-Light", 12)
        for i, line in enumerate(lines):
            pdf.drawString(72, 760 - 20 * i, line)
        pdf.showPage()
    pdf.save()

    assert read_document(path) == "无锡市“十四五”科技创新规划\n一、发展基础\n\n二、主要目标\n研发投入占GDP比重达3.5%。"
    _assert_offsets_exact(path)


def test_html_headings_on_their_own_lines_scripts_and_styles_dropped(tmp_path):
    html = """<!DOCTYPE html><html><head><title>门户网站</title><style>p{color:red}</style></head>
    <body><script>var x = "不要";</script>
      <h1>常州市“十四五”科技创新规划</h1>
      <div class="content">
        <h2>一、发展基础</h2>
        <p>全社会研发投入占比
           达到3.2%。<br>高新技术企业1200家。</p>
        <p>R&amp;D
           spending</p>
        <table>
          <tr><th>指标</th><th>2025年</th></tr>
          <tr>
            <td>高新技术企业数</td>
            <td>2000</td>
          </tr>
        </table>
      </div><noscript>请启用脚本</noscript>
    </body></html>"""
    path = _write(tmp_path / "changzhou.html", html.encode("utf-8"))
    assert read_document(path) == (
        "# 常州市“十四五”科技创新规划\n\n## 一、发展基础\n\n"
        "全社会研发投入占比达到3.2%。\n高新技术企业1200家。\n\nR&D spending\n\n"
        "指标\t2025年\n\n高新技术企业数\t2000"
    )
    _assert_offsets_exact(path)


def test_html_in_gbk_with_meta_charset(tmp_path):
    html = '<html><head><meta charset="gbk"></head><body><p>扬州市科技创新规划</p></body></html>'
    path = _write(tmp_path / "yangzhou.htm", html.encode("gbk"))
    assert read_document(path) == "扬州市科技创新规划"


def test_markdown_is_read_as_plain_text(tmp_path):
    text = "# 泰州市科技创新规划\n\n## 一、发展基础\n\n**1. 企业创新。**正文。\n"
    path = _write(tmp_path / "taizhou.md", codecs.BOM_UTF8 + text.encode("utf-8"))
    assert read_document(path) == text
