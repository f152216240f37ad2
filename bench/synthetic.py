"""A synthetic, plan-like clause corpus of any size, for measuring retrieval at 10^4–10^6 clauses.

Why synthetic: five real plans give ~1,200 clauses; a province (13 cities, ~100 counties, each with
plans, implementation rules and yearly notices) gives hundreds of thousands. The generator writes
realistic Chinese clauses from the real corpus's own vocabulary — indicator names, units and
magnitudes from the indicator tables, section titles from the outlines, clause fragments from the
paragraphs and 专栏 entries, policy subjects from `index/resources/policy_terms.txt` — put into
templates (targets, baselines, support measures, table rows with their header, 专栏 items, headings)
for the 53 cities and counties of Jiangsu, years 2016–2025, and several plan types.

Deterministic and prefix-stable: document j is drawn from its own `random.Random(f"{seed}-{j}")`, so
the first 10^4 clauses of a 10^6 corpus are exactly the 10^4 corpus for the same seed. Clauses are
real `ingest.records.Clause` records whose offsets index their synthetic document's text (clause
texts joined by newlines), and `index.passages.passage_text` gives the text to embed, as for a plan.

CLI: `python -m bench.synthetic 100000 --out build/bench/clauses-1e5.jsonl [--seed 0]`.
"""
from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tqdm import tqdm

from index.passages import passage_text
from index.tokenize import read_policy_terms
from ingest import load_corpus
from ingest.lexicon import city_key
from ingest.records import Clause, DocumentMeta

PLANS_DIR = Path(__file__).resolve().parents[1] / "data" / "plans"
DEFAULT_SEED = 0

# Jiangsu's 13 prefecture-level cities, 21 county-level cities and 19 counties.
PLACES: tuple[str, ...] = (
    "南京市", "无锡市", "徐州市", "常州市", "苏州市", "南通市", "连云港市", "淮安市", "盐城市", "扬州市",
    "镇江市", "泰州市", "宿迁市",
    "江阴市", "宜兴市", "新沂市", "邳州市", "溧阳市", "常熟市", "张家港市", "昆山市", "太仓市", "启东市",
    "如皋市", "海安市", "东台市", "仪征市", "高邮市", "丹阳市", "扬中市", "句容市", "兴化市", "靖江市", "泰兴市",
    "丰县", "沛县", "睢宁县", "如东县", "东海县", "灌云县", "灌南县", "涟水县", "盱眙县", "金湖县", "响水县",
    "滨海县", "阜宁县", "射阳县", "建湖县", "宝应县", "沭阳县", "泗阳县", "泗洪县",
)
# Plan types: title template, and whether the plan has an indicator table.
PLAN_TYPES: tuple[tuple[str, bool], ...] = (
    ("{city}“十四五”科技创新规划", True),
    ("{city}科技创新三年行动计划（{year}－{end}年）", True),
    ("{city}关于加快建设科技创新强市的实施意见", False),
    ("{city}{year}年科技工作要点", False),
    ("{city}关于支持科技型企业高质量发展的若干政策措施", False),
    ("{city}关于推进新型研发机构建设的实施细则", False),
)
NUMERALS = "一二三四五六七八九十"
ATTRIBUTES = ("预期性", "约束性")
_REAL_CITIES = re.compile(r"(南京|南通|连云港|江阴|句容)(市)?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、]|专栏\s*\d*)\s*")
_FRAGMENT_SPLIT = re.compile(r"[，；。：]")
# Policy terms that name who a measure is for (an enterprise, an institution, a platform, people).
_SUBJECT_ENDINGS = ("企业", "机构", "中心", "平台", "孵化器", "实验室", "载体", "人才", "研究院", "工作站", "科技园", "众创空间",
                    "星创天地", "小巨人", "冠军", "科技副总", "科技特派员", "技术经纪人")


@dataclass(frozen=True)
class Vocabulary:
    """What the real plans say, in pieces the templates recombine."""

    indicators: tuple[tuple[str, str, float], ...]  # (name, unit, a real target value)
    sections: tuple[tuple[str, ...], ...]  # heading titles without numbering, by level 1, 2, 3
    fragments: tuple[str, ...]  # clause pieces between ，；。： (8–40 characters)
    subjects: tuple[str, ...]  # policy subjects: 高新技术企业, 新型研发机构 …

    @classmethod
    def from_corpus(cls, plans_dir: Path = PLANS_DIR) -> Vocabulary:
        corpus = load_corpus(plans_dir)
        if not corpus.documents:
            raise ValueError(f"No plan could be read from {plans_dir}: the generator needs the real corpus.")
        indicators = {(r.indicator, r.unit or "", r.target.value) for d in corpus.documents for r in d.indicators
                      if r.target.value is not None and r.unit}
        levels: list[set[str]] = [set(), set(), set()]
        for d in corpus.documents:
            for h in d.headings:
                title = _NUMBERING.sub("", h.title).strip()
                if 2 <= len(title) <= 20 and not _REAL_CITIES.search(title) and h.level <= 3:
                    levels[h.level - 1].add(title)
        fragments = {f.strip() for d in corpus.documents for c in d.clauses if c.kind in ("paragraph", "box_item")
                     for f in _FRAGMENT_SPLIT.split(c.text) if 8 <= len(f.strip()) <= 40}
        subjects = {w for w, _, tag in read_policy_terms() if tag in ("n", "nz") and w.endswith(_SUBJECT_ENDINGS)}
        return cls(tuple(sorted(indicators)), tuple(tuple(sorted(s)) for s in levels), tuple(sorted(fragments)),
                   tuple(sorted(subjects)))


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    return Vocabulary.from_corpus()


@dataclass(frozen=True)
class SyntheticDocument:
    meta: DocumentMeta
    clauses: tuple[Clause, ...]

    @property
    def text(self) -> str:
        """The document's text: clause offsets index it."""
        return "\n".join(c.text for c in self.clauses)


@dataclass(frozen=True)
class SyntheticQuery:
    """A question written from one clause (`source`, its position in the corpus) of the first documents."""

    text: str
    city: str
    source: int


class _Writer:
    """Composes one document's clauses; all randomness comes from the document's own generator."""

    def __init__(self, vocab: Vocabulary, rng: random.Random, meta: DocumentMeta) -> None:
        self.v, self.r, self.meta = vocab, rng, meta
        self.short = city_key(meta.city) if meta.city and len(meta.city) > 2 else meta.city or ""
        self.whole = "全县" if (meta.city or "").endswith("县") else "全市"

    def number(self, like: float, low: float = 0.5, high: float = 2.0) -> str:
        """A number of the same magnitude and form as `like` (whole numbers stay whole)."""
        value = like * self.r.uniform(low, high)
        if like >= 100 or float(like).is_integer():
            return str(max(1, round(value)))
        return f"{value:.1f}"

    def localise(self, fragment: str) -> str:
        """A real fragment with its city renamed and its numbers varied."""
        text = _REAL_CITIES.sub(self.short, fragment)
        return _NUMBER.sub(lambda m: self.number(float(m.group())), text)

    def sentence(self, pieces: int) -> str:
        return "，".join(self.localise(self.r.choice(self.v.fragments)) for _ in range(pieces)) + "。"

    def target(self) -> str:
        (name, unit, value), (name2, unit2, value2) = self.r.sample(self.v.indicators, 2)
        year = self.r.choice((2022, 2023, 2025, 2025, 2030))
        whole = self.whole
        forms = (
            f"到{year}年，{whole}{name}达到{self.number(value)}{unit}，{name2}达到{self.number(value2)}{unit2}，{self.sentence(2)}",
            f"力争到{year}年，{self.short}{name}突破{self.number(value)}{unit}，{self.sentence(3)}",
            f"{year - 5}年，{whole}{name}{self.number(value)}{unit}，同比增长{self.number(12.0)}%，{self.sentence(2)}",
            f"{self.sentence(3)[:-1]}，到{year}年{name}超过{self.number(value)}{unit}。",
        )
        return self.r.choice(forms)

    def measure(self) -> str:
        subject = self.r.choice(self.v.subjects)
        amount = self.number(200.0)
        forms = (
            f"对新认定的{subject}，给予最高{amount}万元奖励；{self.sentence(2)}",
            f"支持{subject}{self.sentence(2)[:-1]}，对认定为国家级的，最高给予{amount}万元资助。",
            f"鼓励{subject}加大研发投入，按研发费用的{self.number(10.0)}%给予补助，单个企业每年最高{amount}万元，{self.sentence(1)}",
            f"{self.sentence(3)[:-1]}，对{subject}按规定落实税收优惠政策。",
        )
        return self.r.choice(forms)

    def row(self) -> tuple[str, ...]:
        name, unit, value = self.r.choice(self.v.indicators)
        return (name, unit, self.number(value, 0.3, 0.8), self.number(value), self.r.choice(ATTRIBUTES))


def _document(vocab: Vocabulary, seed: int, j: int) -> SyntheticDocument:
    """Document j of the corpus drawn with `seed`."""
    r = random.Random(f"{seed}-{j}")
    place = r.randrange(len(PLACES))
    city = PLACES[place]
    year = r.randint(2016, 2025)
    title_form, has_table = r.choice(PLAN_TYPES)
    doc_id = f"syn-{place:02d}-{year}-{j:06d}"
    meta = DocumentMeta(doc_id=doc_id, city=city, title=title_form.format(city=city, year=year, end=year + 2),
                        year=year, issuer=f"{city}人民政府")
    w = _Writer(vocab, r, meta)
    size = r.randint(150, 450)
    texts: list[tuple[tuple[str, ...], str, str, tuple[str, ...] | None, tuple[str, ...] | None, str | None]] = []
    level1 = r.sample(vocab.sections[0], k=min(len(vocab.sections[0]), r.randint(4, 7)))
    for a, top in enumerate(level1):
        head1 = f"{NUMERALS[a % 10]}、{top}"
        texts.append(((), head1, "heading", None, None, None))
        for b, sub in enumerate(r.sample(vocab.sections[1], k=r.randint(2, 5))):
            head2 = f"（{NUMERALS[b % 10]}）{sub}"
            texts.append(((head1,), head2, "heading", None, None, None))
            path = (head1, head2)
            if has_table and a == 1 and b == 0:
                header = ("指标名称", "单位", f"{year - 1}年", f"{year + 4}年", "属性")
                for _ in range(r.randint(12, 30)):
                    cells = w.row()
                    texts.append((path, "\n".join(cells), "table_row", header, cells, f"表1 {city}科技创新主要指标"))
            for c in range(r.randint(3, 9)):
                if r.random() < 0.3:
                    head3 = f"{c + 1}．{r.choice(vocab.sections[2])}"
                    texts.append((path, head3, "heading", None, None, None))
                roll = r.random()
                if roll < 0.3:
                    text = w.target()
                elif roll < 0.6:
                    text = w.measure()
                else:
                    text = w.sentence(r.randint(3, 7))
                texts.append((path, text, "paragraph", None, None, None))
            if r.random() < 0.25:
                caption = f"专栏{a + 1} {r.choice(vocab.subjects)}培育工程"
                for _ in range(r.randint(2, 5)):
                    item = f"{r.choice(vocab.subjects)}：{w.sentence(r.randint(2, 4))}"
                    texts.append((path, item, "box_item", None, None, caption))
        if len(texts) >= size:
            break
    clauses = []
    offset = 0
    for k, (section, text, kind, header, cells, caption) in enumerate(texts):
        clauses.append(Clause(doc_id=doc_id, clause_id=f"{doc_id}#{k}", section=section, text=text, char_start=offset,
                              char_end=offset + len(text), kind=kind, header=header, cells=cells, caption=caption))
        offset += len(text) + 1
    return SyntheticDocument(meta, tuple(clauses))


def iter_documents(n: int, seed: int = DEFAULT_SEED, vocab: Vocabulary | None = None) -> Iterator[SyntheticDocument]:
    """Documents holding exactly `n` clauses in all (the last one cut short), in a fixed order."""
    if n < 0:
        raise ValueError(f"The corpus size must be at least 0, got {n}.")
    vocab = vocab or default_vocabulary()
    produced, j = 0, 0
    while produced < n:
        doc = _document(vocab, seed, j)
        if produced + len(doc.clauses) > n:
            doc = SyntheticDocument(doc.meta, doc.clauses[: n - produced])
        produced += len(doc.clauses)
        j += 1
        yield doc


def iter_passages(n: int, seed: int = DEFAULT_SEED) -> Iterator[tuple[Clause, DocumentMeta, str]]:
    """(clause, its document, the text to embed) for the first `n` clauses."""
    for doc in iter_documents(n, seed):
        for clause in doc.clauses:
            yield clause, doc.meta, passage_text(clause, doc.meta)


def queries(count: int, seed: int = DEFAULT_SEED, pool: int = 10_000) -> list[SyntheticQuery]:
    """`count` questions as users type them, each written from a clause among the first `pool`.

    Every corpus of at least `pool` clauses (same seed) contains all their source clauses.
    """
    vocab = default_vocabulary()
    rows = [(i, c, m) for i, (c, m, _) in enumerate(iter_passages(pool, seed)) if c.kind != "heading"]
    r = random.Random(f"{seed}-queries")
    out: list[SyntheticQuery] = []
    while len(out) < count:
        position, clause, meta = r.choice(rows)
        city = meta.city or ""
        short = city_key(city) if len(city) > 2 else city
        if clause.kind == "table_row" and clause.cells:
            text = r.choice((f"{short}到{meta.year + 4}年{clause.cells[0]}的目标是多少？",
                             f"{city}{clause.cells[0]}规划要达到多少{clause.cells[1]}？"))
        elif "万元" in clause.text or "补助" in clause.text:
            subject = next((s for s in vocab.subjects if s in clause.text), r.choice(vocab.subjects))
            text = r.choice((f"{short}对{subject}有什么奖励或补贴？", f"我们是{city}的{subject}，能享受哪些支持政策？"))
        else:
            topic = _NUMBERING.sub("", clause.section[-1]) if clause.section else meta.title
            text = r.choice((f"{city}在{topic}方面有哪些重点任务？", f"{short}{meta.year}年关于{topic}是怎么部署的？"))
        out.append(SyntheticQuery(text=text, city=city, source=position))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic", description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="number of clauses (e.g. 10000, 100000, 1000000)")
    parser.add_argument("--out", type=Path, required=True, help="JSONL file: one clause with its city and passage per line")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("n must be at least 1")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        for clause, meta, passage in tqdm(iter_passages(args.n, args.seed), total=args.n, unit="clause"):
            f.write(json.dumps({**clause.to_dict(), "city": meta.city, "passage": passage}, ensure_ascii=False) + "\n")
    print(f"{args.n} clauses → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
