"""Candidates for the policy-term dictionary, mined from the plans, and a check of the curated file.

`resources/policy_terms.txt` is maintained by hand; this module only proposes and checks:

    python -m index.terms                 # candidates not yet in the dictionary, most frequent first
    python -m index.terms --check         # curated terms that never occur, or that jieba still splits
    python -m index.terms --suggest 新术语 …  # a `word freq tag` line to paste into the dictionary

Candidates come from three places in the plans: quoted terms (“揭榜挂帅”), indicator names in the
target tables (全社会研发投入占GDP比重（%）), and frequent compounds that jieba's base dictionary
cuts into pieces (科技企业孵化器 → 科技/企业/孵化器) but whose occurrences start and end at word
boundaries and are not just part of one longer frequent compound.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import jieba

from index.settings import IndexSettings
from index.tokenize import POLICY_TERMS, PolicyTokenizer, normalize, quiet_jieba, read_policy_terms, read_stopwords

_QUOTED = re.compile(r"[“\"]([\u4e00-\u9fff]{2,10})[”\"]")
_UNIT = r"[（(](?:%|‰|家|个|件|亿元|万元|人|项|台（套）|台|万人|万平方米|平方米|团队|亿美元)[）)]"
_INDICATOR_WITH_UNIT = re.compile(rf"^([\u4e00-\u9fffA-Za-z&（）()]{{4,40}}?){_UNIT}$")
_HAN_CELL = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z&（）()]{3,39}$")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Candidate:
    term: str
    count: int  # occurrences in the plans
    source: str  # "quoted" | "indicator" | "compound"


def read_plans(plans_dir: Path) -> dict[str, str]:
    """The UTF-8 plain-text plans of a directory, by file name."""
    return {p.name: p.read_text(encoding="utf-8-sig") for p in sorted(plans_dir.glob("*.txt"))}


def quoted_terms(text: str) -> set[str]:
    return set(_QUOTED.findall(text))


def indicator_names(text: str) -> set[str]:
    """Indicator names of the target tables, in the three flattened layouts of the corpus:
    a cell ending in its unit (南京, 连云港), a tab-separated row "7<TAB>名称<TAB>单位…" (句容),
    and one cell per line after the row's ordinal (南通)."""
    names: set[str] = set()
    lines = [line.strip() for line in text.splitlines()]
    for i, line in enumerate(lines):
        if m := _INDICATOR_WITH_UNIT.match(line):
            names.add(m.group(1))
        cells = line.split("\t")
        if len(cells) >= 3 and cells[0].isdigit() and _HAN_CELL.match(cells[1]):
            names.add(cells[1])
        if line.isdigit() and len(line) <= 2:
            nxt = next((x for x in lines[i + 1 :] if x), "")
            if _HAN_CELL.match(nxt):
                names.add(nxt)
    return names


def compound_terms(
    texts: Iterable[str], base: jieba.Tokenizer, stopwords: frozenset[str], *, min_count: int = 4, max_len: int = 8
) -> Counter[str]:
    """Han n-grams (4..max_len) that recur, that the base dictionary splits, that start and end
    on its word boundaries in at least 80% of occurrences, contain no stop word, and are not
    merely the inside of a longer n-gram that occurs as often."""
    runs = [run for text in texts for run in _HAN_RUN.findall(text)]
    counts: Counter[str] = Counter()
    for run in runs:
        for n in range(4, max_len + 2):  # one longer than kept, for the maximality test
            for i in range(len(run) - n + 1):
                counts[run[i : i + n]] += 1
    frequent = {g for g, c in counts.items() if c >= min_count and len(g) <= max_len}
    aligned: Counter[str] = Counter()
    for run in runs:
        bounds = {0, *accumulate(len(w) for w in base.cut(run, HMM=False))}
        for n in range(4, max_len + 1):
            for i in range(len(run) - n + 1):
                g = run[i : i + n]
                if g in frequent and i in bounds and i + n in bounds:
                    aligned[g] += 1
    # g is only the inside of a longer compound when one (len+1)-gram around it occurs as often.
    subsumed = {
        sub for h, c in counts.items() if len(h) > 4 and c >= min_count for sub in (h[:-1], h[1:]) if counts[sub] == c
    }
    result: Counter[str] = Counter()
    for g in frequent - subsumed:
        pieces = list(base.cut(g, HMM=False))
        if len(pieces) < 2 or any(p in stopwords for p in pieces) or aligned[g] < 0.8 * counts[g]:
            continue
        result[g] = counts[g]
    return result


def candidates(plans: dict[str, str], *, min_count: int = 4) -> list[Candidate]:
    """All candidates, most frequent first, each with its count over the plans."""
    corpus = normalize("\n".join(plans.values()))
    found: dict[str, str] = {}
    for text in plans.values():
        for term in quoted_terms(text):
            found.setdefault(normalize(term), "quoted")
        for term in indicator_names(text):
            found.setdefault(normalize(term), "indicator")
    base = jieba.Tokenizer()
    with quiet_jieba():
        base.initialize()
    for term in compound_terms([normalize(t) for t in plans.values()], base, read_stopwords(), min_count=min_count):
        found.setdefault(term, "compound")
    out = [Candidate(t, corpus.count(t), s) for t, s in found.items()]
    return sorted(out, key=lambda c: (-c.count, c.term))


@dataclass(frozen=True)
class TermUse:
    term: str
    occurrences: int  # in the plans
    whole: int  # occurrences the tokenizer keeps inside one word


def term_usage(plans: dict[str, str], tokenizer: PolicyTokenizer, terms_path: Path = POLICY_TERMS) -> list[TermUse]:
    """How often each curated term occurs in the plans and how often jieba keeps it whole there
    (a term can lose to a longer word around it, e.g. 政产学研/合作: that is fine)."""
    texts = [normalize(t) for t in plans.values()]
    usage = []
    for term, _, _ in read_policy_terms(terms_path):
        occurrences = whole = 0
        for text in texts:
            for m in re.finditer(re.escape(term), text):
                occurrences += 1
                lo = max(0, m.start() - 12)
                offset = m.start() - lo
                words = tokenizer.words(text[lo : m.end() + 12])
                whole += any(w.start <= offset and w.end >= offset + len(term) for w in words)
        usage.append(TermUse(term, occurrences, whole))
    return usage


def check(plans: dict[str, str], tokenizer: PolicyTokenizer, *, min_whole: float = 0.8) -> list[str]:
    """Curated terms to look at again: absent from the plans while not a question abbreviation
    (a terms.tsv key), or kept whole in fewer than `min_whole` of their occurrences."""
    problems = []
    for use in term_usage(plans, tokenizer):
        if use.occurrences == 0 and use.term not in tokenizer.synonyms:
            problems.append(f"{use.term}: not in the plans and not a terms.tsv key")
        elif use.occurrences and use.whole < min_whole * use.occurrences:
            problems.append(f"{use.term}: kept whole in only {use.whole} of {use.occurrences} occurrences")
    return problems


def suggest_line(tokenizer: PolicyTokenizer, term: str, tag: str = "n") -> str:
    """jieba's suggested frequency for keeping `term` whole given the current dictionary, times 3
    so that a neighbouring character cannot pull part of it away (the rule policy_terms.txt uses;
    question abbreviations take the plain suggestion, tag j)."""
    term = normalize(term)
    freq = tokenizer.suggest_freq(term)
    return f"{term} {freq if tag == 'j' else 3 * freq} {tag}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.terms", description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=Path, default=IndexSettings().plans_dir)
    parser.add_argument("--min-count", type=int, default=4)
    parser.add_argument("--all", action="store_true", help="also list candidates already in the dictionary")
    parser.add_argument("--check", action="store_true", help="check the curated dictionary instead")
    parser.add_argument("--suggest", nargs="+", metavar="TERM", help="print dictionary lines for new terms")
    args = parser.parse_args(argv)
    if args.suggest:
        for term in args.suggest:
            print(suggest_line(PolicyTokenizer(), term))
        return 0
    plans = read_plans(args.plans)
    if not plans:
        print(f"no .txt plans in {args.plans}", file=sys.stderr)
        return 2
    if args.check:
        problems = check(plans, PolicyTokenizer())
        print("\n".join(problems) or "policy_terms.txt: nothing to review")
        return 0
    known = {term for term, _, _ in read_policy_terms()}
    print("# term\tcount\tsource")
    for c in candidates(plans, min_count=args.min_count):
        if args.all or c.term not in known:
            print(f"{c.term}\t{c.count}\t{c.source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
