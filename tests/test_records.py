"""Records that cross stage boundaries survive a JSON round trip unchanged."""
import json

from ingest.records import Clause, IndicatorRecord, YearValue


def test_clause_round_trip():
    c = Clause("nanjing-2021", "nanjing-2021#7", ("三、总体要求", "(一)指导思想"), "以习近平…", 10, 19, "paragraph")
    assert Clause.from_dict(json.loads(json.dumps(c.to_dict()))) == c


def test_table_row_clause_round_trip():
    c = Clause("nanjing-2021", "nanjing-2021#9", ("表1",), "高新技术企业数(家)\n\n6507\n\n20000", 0, 24,
               "table_row", header=("指标", "2020年", "2025年"), cells=("高新技术企业数(家)", "6507", "20000"))
    assert Clause.from_dict(json.loads(json.dumps(c.to_dict()))) == c


def test_indicator_round_trip():
    r = IndicatorRecord("nanjing-2021", "南京市", "高新技术企业数", "家", YearValue(2020, "6507", 6507.0),
                        YearValue(2025, "20000", 20000.0), None, 100, 120)
    assert IndicatorRecord.from_dict(json.loads(json.dumps(r.to_dict()))) == r
