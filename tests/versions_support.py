"""A newer plan of a shipped city, for the plan-version tests: 南京市's 十五五 plan (made up, marked 测试样例).

Written in the layout of the shipped 南京 plan (a heading per line, the indicator table one cell a line), so
uploading it beside `nanjing-2021` gives 南京市 a series of two periods. Its figures are invented: 高新技术企业数
reached 21000 by 2025 (the 十四五 target 20000 met), 研发经费投入强度 3.9% (the target 4% not met); it adds
人工智能核心产业规模 and drops 有国际影响力的新型研发机构; it has a chapter on 未来产业 and none on 农业; its
市级科技创新基金 grows to 100亿元 (the 十四五 plan writes 总规模50亿元).
`upload_nanjing_next(settings)` adds it through the plan library, as the page's upload does.
"""
from __future__ import annotations

from pathlib import Path

from index.settings import IndexSettings

NANJING_NEXT = """南京市“十五五”科技创新规划（测试样例）

一、发展基础

“十四五”期间，南京科技创新综合实力持续提升。2025年，全社会研发经费支出占地区生产总值比重达3.9%，高新技术企业达21000家。

二、主要目标

表1:南京市“十五五”科技创新主要指标

指标

2025年

2030年

全社会研发经费投入强度(%)

3.9

4.5

技术市场合同成交额(亿元)

1150

1600

高新技术企业数(家)

21000

30000

科技型中小企业数(家)

32000

45000

人工智能核心产业规模(亿元)

800

2000

三、重点任务

（一）前瞻布局未来产业

围绕类脑智能、量子信息、未来网络等方向，建设未来产业先导区，培育一批未来产业创新企业。

（二）实施“人工智能+”科技行动

推动人工智能大模型在制造、医疗、政务等场景规模化应用，建设算力调度平台。

（三）强化企业科技创新主体地位

实施高新技术企业培育行动，支持企业牵头组建创新联合体。

（四）深化科技金融服务

扩大科技信贷风险补偿资金池规模，发展科技创投基金群。市级科技创新基金总规模扩大到100亿元。

四、保障措施

（一）加强组织领导

建立市科技创新工作领导小组统筹推进机制。
"""


def nanjing_next_file(folder: Path) -> Path:
    """`NANJING_NEXT` as a UTF-8 file under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nanjing-2026-sti-plan.txt"
    path.write_text(NANJING_NEXT, encoding="utf-8")
    return path


def upload_nanjing_next(settings: IndexSettings, assistant, folder: Path) -> str:
    """Upload the newer 南京 plan into `settings`' index through the plan library; its doc_id."""
    from index.library import PlanLibrary

    library = PlanLibrary(settings, current_docs=lambda: assistant.index.docs)
    library.add(nanjing_next_file(folder), progress=False)
    found = [d for d, m in assistant.index.docs.items() if m.city == "南京市" and d != "nanjing-2021"]
    assert len(found) == 1, found
    return found[0]
