"""Metadata: the manifest where given; inferred from the header for a plan dropped in without one."""
import json
import shutil
from pathlib import Path

import pytest

from ingest import IngestError, load_corpus, load_manifest, parse_file
from ingest.metadata import default_doc_id, infer_metadata, resolve_metadata, text_sha256

PLANS = Path(__file__).resolve().parents[1] / "data" / "plans"
MANIFEST = {e["file"]: e for e in json.loads((PLANS / "manifest.json").read_text(encoding="utf-8"))["documents"]}
FIELDS = ("city", "title", "issuer", "doc_number", "date", "year", "period")


@pytest.mark.parametrize("file", sorted(MANIFEST))
def test_inference_without_manifest_matches_the_manifest(file):
    """Every field the manifest states (doc_id aside) is recovered from the text alone."""
    text = (PLANS / file).read_text(encoding="utf-8")
    meta = infer_metadata(text, file)
    expected = MANIFEST[file]
    for name in FIELDS:
        assert getattr(meta, name) == expected.get(name), name
    assert meta.doc_id == file.removesuffix(".txt")  # ASCII stems become the slug
    assert meta.sha256 == text_sha256(text)


def test_the_figures_the_brief_names():
    jurong = infer_metadata((PLANS / "jurong-2022-sti-plan.txt").read_text(encoding="utf-8"), "jurong.txt")
    assert jurong.doc_number == "句政办发〔2022〕41号"
    jiangyin = infer_metadata((PLANS / "jiangyin-2020-innovation-action-plan.txt").read_text(encoding="utf-8"), "x.txt")
    assert (jiangyin.date, jiangyin.city, jiangyin.period) == ("2020-03-15", "江阴市", "2020-2022")


def test_corpus_without_manifest_still_gets_city_and_title(tmp_path):
    for file in MANIFEST:
        shutil.copy(PLANS / file, tmp_path / file)
    result = load_corpus(tmp_path)
    assert not result.errors
    got = {d.meta.file: (d.meta.city, d.meta.title) for d in result.documents}
    assert got == {file: (e["city"], e["title"]) for file, e in MANIFEST.items()}


def test_manifest_values_win_and_gaps_are_inferred(tmp_path):
    shutil.copy(PLANS / "jurong-2022-sti-plan.txt", tmp_path)
    (tmp_path / "manifest.json").write_text(
        json.dumps({"documents": [{"file": "jurong-2022-sti-plan.txt", "doc_id": "jr", "issuer": None, "title": None}]}),
        encoding="utf-8",
    )
    meta = parse_file(tmp_path / "jurong-2022-sti-plan.txt").meta
    assert meta.doc_id == "jr" and meta.issuer is None  # stated, even as null
    assert meta.title == "句容市“十四五”科技创新规划"  # a title is never null: inferred instead
    assert meta.city == "句容市" and meta.doc_number == "句政办发〔2022〕41号"  # left out: inferred


def test_real_manifest_is_loaded_as_is():
    entries = load_manifest(PLANS)
    assert {e.doc_id for e in entries.values()} == {
        "jurong-2022", "lianyungang-2021", "nantong-2021", "nanjing-2021", "jiangyin-2020"
    }
    meta = resolve_metadata("正文", "nanjing-2021-sti-plan.txt", entries["nanjing-2021-sti-plan.txt"])
    assert (meta.doc_id, meta.city, meta.date, meta.year) == ("nanjing-2021", "南京市", "2021-10-24", 2021)


UNSEEN = [
    (
        "苏州市人民政府关于印发苏州市“十四五”科技创新规划的通知\n苏府〔2021〕88号\n各市、区人民政府：\n现将规划印发给你们。\n"
        "苏州市人民政府\n二〇二一年九月三十日\n\n苏州市“十四五”科技创新规划\n\n一、发展基础\n正文。",
        {"city": "苏州市", "title": "苏州市“十四五”科技创新规划", "issuer": "苏州市人民政府",
         "doc_number": "苏府〔2021〕88号", "date": "2021-09-30", "year": 2021, "period": "2021-2025"},
    ),
    (
        "无锡市加快建设创新型城市行动方案（2023—2025年）\n\n一、总体要求\n到2025年，高新技术企业达到8000家。",
        {"city": "无锡市", "title": "无锡市加快建设创新型城市行动方案（2023—2025年）", "issuer": None,
         "doc_number": None, "date": None, "year": 2023, "period": "2023-2025"},
    ),
    (
        "# 盱眙县科学技术局文件\n\n盱科发〔2024〕3号\n\n关于印发《盱眙县科技创新三年计划》的通知\n\n"
        "2024年2月1日\n\n## 一、目标\n建成省级研发机构5家。",
        {"city": "盱眙县", "title": "盱眙县科技创新三年计划", "issuer": "盱眙县科学技术局",
         "doc_number": "盱科发〔2024〕3号", "date": "2024-02-01", "year": 2024, "period": None},
    ),
]


@pytest.mark.parametrize("text,expected", UNSEEN, ids=["suzhou-notice", "wuxi-plain", "xuyi-red-header"])
def test_inference_on_cities_outside_the_corpus(text, expected):
    meta = infer_metadata(text, "new-plan.txt")
    assert {name: getattr(meta, name) for name in expected} == expected


def test_headerless_text_falls_back_to_the_file_name():
    meta = infer_metadata("一、发展基础\n全市研发投入持续增长。", "宿迁市科技创新规划.txt")
    assert (meta.title, meta.city) == ("宿迁市科技创新规划", "宿迁市")
    assert meta.doc_id == "plan-" + text_sha256("一、发展基础\n全市研发投入持续增长。")[:8]


@pytest.mark.parametrize(
    "stem,expected",
    [("Nanjing 2021_STI Plan (final)", "nanjing-2021-sti-plan-final"), ("--", None), ("苏州规划", None)],
)
def test_doc_id_slug(stem, expected):
    got = default_doc_id(f"{stem}.txt", "text")
    assert got == (expected or f"plan-{text_sha256('text')[:8]}")


@pytest.mark.parametrize(
    "manifest,needle",
    [
        ("{not json", "JSON"),
        ('{"documents": {"file": "a.txt"}}', '"documents"'),
        ('{"documents": [{"file": "../etc/passwd"}]}', "bare file name"),
        ('{"documents": [{"file": "a.txt", "doc_id": "a b/c"}]}', "doc_id"),
        ('{"documents": [{"file": "a.txt", "citty": "南京市"}]}', "citty"),
        ('{"documents": [{"file": "a.txt", "doc_id": "x"}, {"file": "b.txt", "doc_id": "x"}]}', "b.txt"),
        ('{"documents": [{"file": "a.txt"}, {"file": "a.txt"}]}', "twice"),
    ],
)
def test_invalid_manifest_is_refused_with_a_clear_message(tmp_path, manifest, needle):
    (tmp_path / "manifest.json").write_text(manifest, encoding="utf-8")
    with pytest.raises(IngestError, match="manifest.json") as info:
        load_manifest(tmp_path)
    assert needle in str(info.value)


HEADER_LINES = [
    ("镇江市科技创新示范计划\n镇江市科学技术局\n2023年5月10日\n\n一、总体目标\n到2025年建成研发机构。",
     ("镇江市科学技术局", "2023-05-10")),
    ("镇江市科技创新示范计划\n镇江市人民政府办公室 2023年5月10日\n\n一、总体目标\n正文。",
     ("镇江市人民政府办公室", "2023-05-10")),
    ("镇江市科技创新示范计划\n发布时间：2023-05-10  来源：镇江市科学技术局\n\n一、总体目标\n正文。",
     ("镇江市科学技术局", "2023-05-10")),
    ("镇江市科技创新示范计划\n发文机关：镇江市人民政府\n成文日期：2023年05月10日\n\n一、总体目标\n正文。",
     ("镇江市人民政府", "2023-05-10")),
    ("泰州市科技创新示范计划\n2023-06-01\n\n一、总体目标\n正文。", (None, "2023-06-01")),
]


@pytest.mark.parametrize("text,expected", HEADER_LINES, ids=["issuer-then-date", "issuer-and-date", "web-labels",
                                                             "document-labels", "iso-date"])
def test_an_uploaded_plans_issuer_and_date_come_from_its_header_lines(text, expected):
    meta = infer_metadata(text, "upload.txt")
    assert (meta.issuer, meta.date, meta.year) == (*expected, 2023)
    assert meta.title.endswith("科技创新示范计划")  # the issuer's line is not taken for the title
