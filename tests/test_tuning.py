"""Tuning: metrics, the coordinate-ascent rerank fit, ranx's fusion fit, cross-validation, one real replay of the
assistant's searches on the built index, the thresholds data file, and the `python -m tuning` command."""
import json
from pathlib import Path

import numpy as np
import pytest

from index.fusion import FusionWeights
from index.rerank import RerankWeights
from tuning.tune import (
    Case,
    evaluate,
    fit_fusion,
    fit_rerank,
    load_cases,
    tune,
    write_section,
    write_tuned,
)

NAMES = RerankWeights.names()
J = NAMES.index("states_figure")


def synthetic_cases(n=30, seed=1):
    """Lexical ranks the relevant clause 3rd; only the 'states_figure' feature marks it."""
    rng = np.random.default_rng(seed)
    cases = []
    for q in range(n):
        ids = list(range(q * 10, q * 10 + 6))
        lexical = {i: float(10 - k) for k, i in enumerate(ids)}
        dense = {i: float(rng.random()) for i in ids}
        feats = {i: np.zeros(len(NAMES)) for i in ids}
        feats[ids[2]][J] = 1.0
        cases.append(Case(f"q{q}", dense, lexical, feats, frozenset({ids[2]})))
    return cases


def zero_weights():
    return RerankWeights(**{n: 0.0 for n in NAMES})


def test_evaluate_computes_mrr_and_hits():
    cases = synthetic_cases()
    s = evaluate(cases, FusionWeights(dense=0.0, lexical=1.0), None)
    assert s.mrr10 == pytest.approx(1 / 3) and s.hit1 == 0 and s.hit5 == 1 and s.n == len(cases)


def test_coordinate_ascent_finds_the_informative_feature():
    cases = synthetic_cases()
    fusion = FusionWeights(dense=0.0, lexical=1.0)
    fitted = fit_rerank(cases, fusion, zero_weights())
    assert fitted.weight("states_figure") > 0
    assert all(fitted.weight(n) == 0 for n in NAMES if n != "states_figure")  # nothing else helps, nothing else moves
    assert evaluate(cases, fusion, fitted).mrr10 == 1.0


def test_ranx_fusion_fit_prefers_the_system_that_ranks_relevant_first():
    cases = synthetic_cases()
    for c in cases:  # make dense perfect
        c.dense.update({i: (1.0 if i in c.relevant else 0.0) for i in c.dense})
    w = fit_fusion(cases)
    assert w.dense > w.lexical and abs(w.dense + w.lexical - 1) < 1e-6
    assert evaluate(cases, w, None).mrr10 == 1.0


def test_real_replay_and_cross_validation_write_the_files(built_index, tmp_path, monkeypatch):
    from index.build import current_index

    dev = [json.loads(line) for line in Path("eval/data/dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    small = [d for d in dev if d["type"] == "target"][:12]
    dataset = tmp_path / "small.jsonl"
    dataset.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in small), encoding="utf-8")
    index = current_index(built_index)
    cases = load_cases(index, dataset)
    assert len(cases) == 12 and all(c.relevant for c in cases)
    # the replayed search is the assistant's: its candidates contain the labelled clause for most questions
    assert sum(bool(c.relevant & (set(c.dense) | set(c.lexical))) for c in cases) >= 10
    report = tune(index, dataset, folds=3, seed=0)
    rows = report.rows
    assert set(rows) == {"defaults (hand-set)", "fitted, in-sample", "fitted, 3-fold held-out"}
    assert rows["fitted, in-sample"]["hybrid+rerank"].mrr10 >= rows["defaults (hand-set)"]["hybrid+rerank"].mrr10 - 1e-9
    out = tmp_path / "tuned.json"
    write_tuned(report, str(dataset), out)
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert set(saved["rerank"]) == set(NAMES) and saved["fitted_on"]["cv_folds"] == 3
    readme = tmp_path / "README.md"
    readme.write_text("# Eval\n\n## Retrieval tuning\n\nSTALE-TEXT\n\n## Results\n\nkeep\n", encoding="utf-8")
    write_section(report.markdown(str(dataset)), readme)
    text = readme.read_text(encoding="utf-8")
    assert "STALE-TEXT" not in text and "keep" in text and text.count("## Retrieval tuning") == 1
    assert "3-fold held-out" in text


def test_thresholds_file_holds_the_thresholds_the_assistant_uses(tmp_path):
    from dataclasses import asdict

    from assistant.composers.context import Thresholds
    from assistant.resources import THRESHOLDS_FILE, refusal_thresholds
    from tuning.calibrate import write_thresholds

    assert refusal_thresholds() == asdict(Thresholds()), (
        f"{THRESHOLDS_FILE} and the Thresholds defaults disagree: the file is what calibration writes")
    out = tmp_path / "thresholds.json"
    write_thresholds(Thresholds(figure=0.5, sentence=0.3, measure=0.25, task=0.55), out)
    assert refusal_thresholds(out) == {"figure": 0.5, "sentence": 0.3, "measure": 0.25, "task": 0.55}


def test_cli_offers_tune_and_calibrate_and_reports_a_missing_dataset(built_index, monkeypatch, capsys):
    from tuning.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0 and "tune" in capsys.readouterr().out
    monkeypatch.setenv("PLANQA_INDEX_DIR", str(built_index.index_dir))
    for command in ("tune", "calibrate"):
        assert main([command, "--dataset", "no/such.jsonl"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and "Traceback" not in err
