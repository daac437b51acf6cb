"""Importing other harnesses' generations: every format, text-based problem mapping, clear errors,
and the real SkyThought dump reproducing its six published accuracies."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evaluator.benchmarks.loader import DatasetError
from evaluator.imports.readers import ImportFileError, read_foreign
from evaluator.imports.runs import import_runs, imported_summary
from evaluator.imports.textmatch import TextIndex, tokens
from evaluator.run.store import load_config, load_samples
from tests.support.skythought import REPORTED, SKYTHOUGHT

# A toy benchmark (ids outside the registry, so no official answer key applies).
TOY = [
    {
        "id": "toy-1",
        "problem": "Find the number of positive divisors of $2^{10} \\cdot 3^{4}$.",
        "answer": 55,
    },
    {
        "id": "toy-2",
        "problem": "Let $x$ be the least positive integer with $x \\equiv 3 \\pmod{7}$ and "
        "$x \\equiv 4 \\pmod{9}$. Find $x$.",
        "answer": 31,
    },
    {
        "id": "toy-3",
        "problem": "A square has area $\\frac{81}{4}$. Find four times its perimeter.",
        "answer": 72,
    },
]


@pytest.fixture()
def toy(tmp_path: Path) -> Path:
    path = tmp_path / "toy.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in TOY))
    return path


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _respaced(text: str) -> str:
    """The same problem as another copy would print it: other spacing, LaTeX spacing commands."""
    return "  " + text.replace("$", "$ ").replace("\\cdot", "\\, \\cdot\\,").replace(". ", ".\n") + "\n"


# ---------------------------------------------------------------- real data (../shared)


def test_skythought_dump_reproduces_the_six_reported_accuracies(shared_dir: Path, tmp_path: Path) -> None:
    runs = import_runs(
        shared_dir / SKYTHOUGHT, "qwen-math", "aime-2024", tmp_path / "runs", shared_dir / "data"
    )
    assert {r.model: round(r.summary["metrics"]["pass1"] * 100, 1) for r in runs} == REPORTED
    for run in runs:
        assert run.n_samples == 30 and run.summary["k"] == 1 and run.summary["complete"]
        assert run.n_disagreements == 0, run.summary["imported"]["disagreements"]
        assert round(run.summary["imported"]["reported_accuracy"] * 100, 1) == REPORTED[run.model]
        assert run.directory.name.startswith(run.model.replace("-", "_").split("_")[0])
        config = load_config(run.directory)
        assert config["imported"]["format"] == "qwen-math"
        assert len(config["imported"]["sha256"]) == 64 and config["identity"]["backend"] == "import"


def test_truncated_real_responses_score_as_no_answer(shared_dir: Path, tmp_path: Path) -> None:
    runs = import_runs(
        shared_dir / SKYTHOUGHT,
        "qwen-math",
        "aime-2024",
        tmp_path,
        shared_dir / "data",
        model="Sky-T1-math-reflection-1.0-32B",
    )
    records = load_samples(runs[0].directory)
    cut = [
        r
        for r in records
        if r["response"].startswith("<|begin_of_thought|>") and "<|end_of_thought|>" not in r["response"]
    ]
    assert len(cut) >= 10  # ~100k characters of repetition that never closed the thought
    assert all(r["extracted"] is None and not r["correct"] and r["status"] == "truncated" for r in cut)
    # the harness read a number out of most of them (e.g. '2'): both verdicts are "wrong"
    assert sum(r["reported_extracted"] not in (None, "") for r in cut) >= 10


def test_import_is_idempotent_and_filters_by_model(shared_dir: Path, tmp_path: Path) -> None:
    args = (shared_dir / SKYTHOUGHT, "qwen-math", "aime-2024", tmp_path, shared_dir / "data")
    first = import_runs(*args, model="Sky-T1-math-corrupt-0.2-32B")
    again = import_runs(*args, model="Sky-T1-math-corrupt-0.2-32B")
    assert [r.directory for r in first] == [r.directory for r in again]
    assert len(load_samples(first[0].directory)) == 30  # rewritten, not appended twice
    with pytest.raises(ImportFileError, match="no rows for model 'nope'.*Sky-T1-math-corrupt-0.5-32B"):
        import_runs(*args, model="nope")


def test_url_sorted_ai_mo_dump_is_mapped_by_text_not_position(shared_dir: Path, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (shared_dir / "data" / "aime_2024.jsonl").read_text().splitlines()]
    url_sorted = sorted(rows, key=lambda r: (r["exam"], str(r["number"])))  # PROVENANCE.md, defect 2
    assert [r["id"] for r in url_sorted][:3] == ["2024-I-1", "2024-I-10", "2024-I-11"]
    dump = _jsonl(
        tmp_path / "aimo.jsonl",
        [
            {
                "idx": i,
                "question": r["problem_alt"],
                "gt": str(r["answer"]),
                "code": [f"So \\boxed{{{r['answer']}}}."],
                "pred": [str(r["answer"])],
                "score": [True],
            }
            for i, r in enumerate(url_sorted)
        ],
    )
    # 1) against our data file (official text + problem_alt), 2) against the official text only
    official_only = _jsonl(
        tmp_path / "aime_2024_official.jsonl",
        [{"id": r["id"], "problem": r["problem"], "answer": r["answer"]} for r in rows],
    )
    for dataset, data_dir in (("aime-2024", shared_dir / "data"), (str(official_only), None)):
        (run,) = import_runs(dump, "qwen-math", dataset, tmp_path / "runs", data_dir)
        assert run.summary["metrics"]["pass1"] == 1.0, dataset
        by_id = {r["problem_id"]: r for r in load_samples(run.directory)}
        assert set(by_id) == {r["id"] for r in rows}
        assert by_id["2024-I-2"]["harness_idx"] == 7  # position 7 in URL order, not official position 1


def test_text_index_matches_every_wording_both_ways(shared_dir: Path) -> None:
    for year in (2024, 2025):
        rows = [
            json.loads(line) for line in (shared_dir / "data" / f"aime_{year}.jsonl").read_text().splitlines()
        ]
        for source, other in (("problem", "problem_alt"), ("problem_alt", "problem")):
            index = TextIndex({r["id"]: [r[source]] for r in rows})
            assert [index.match(r[other]).problem_id for r in rows] == [r["id"] for r in rows]


# ---------------------------------------------------------------- each format, synthetic files


def test_qwen_math_raw_layout(toy: Path, tmp_path: Path) -> None:
    dump = _jsonl(
        tmp_path / "test_qwen25-math-cot_-1_seed0_t0.6_s0_e-1.jsonl",
        [
            {
                "idx": 0,
                "question": _respaced(TOY[2]["problem"]),
                "gt": "72",
                "code": ["\\boxed{72}", "\\boxed{18}"],
                "pred": ["72", "18"],
                "score": [True, False],
            },
            {
                "idx": 1,
                "question": _respaced(TOY[0]["problem"]),
                "gt": "55",
                "code": ["The answer is 55.", "\\boxed{55}"],
                "pred": ["55", "55"],
                "score": [True, True],
            },
        ],
    )
    (run,) = import_runs(dump, "qwen-math", str(toy), tmp_path / "runs")
    assert run.model == dump.stem
    records = {(r["problem_id"], r["sample"]): r for r in load_samples(run.directory)}
    assert set(records) == {("toy-3", 0), ("toy-3", 1), ("toy-1", 0), ("toy-1", 1)}
    assert records[("toy-3", 1)]["reported_correct"] is False and records[("toy-3", 1)]["extracted"] == "18"
    assert records[("toy-1", 1)]["reported_extracted"] == "55" and records[("toy-1", 1)]["correct"] is True
    assert run.summary["k"] == 2 and run.summary["n_samples"] == 4 and not run.summary["complete"]
    assert any("toy-2" in w for w in run.warnings)


def test_qwen_math_normalised_rows_group_by_model(toy: Path, tmp_path: Path) -> None:
    dump = _jsonl(
        tmp_path / "norm.jsonl",
        [
            {
                "problem_id": "toy-1",
                "sample": 0,
                "response": "\\boxed{55}",
                "reported_correct": True,
                "reported_pred": "55",
                "model": "a",
            },
            {
                "problem_id": "toy-1",
                "sample": 0,
                "response": "\\boxed{54}",
                "reported_correct": True,
                "reported_pred": "54",
                "model": "b",
            },
        ],
    )
    runs = import_runs(dump, "qwen-math", str(toy), tmp_path / "runs")
    assert [r.model for r in runs] == ["a", "b"]
    assert runs[1].n_disagreements == 1
    (row,) = runs[1].summary["imported"]["disagreements"]
    assert row == {
        "problem_id": "toy-1",
        "sample": 0,
        "gold": "55",
        "reported_correct": True,
        "reported_extracted": "54",
        "correct": False,
        "extracted": "54",
        "status": "ok",
    }
    # what `evaluate score` recomputes for an imported run after re-grading: the same section
    records, config = load_samples(runs[1].directory), load_config(runs[1].directory)
    assert imported_summary(records, config["imported"]) == runs[1].summary["imported"]


def test_lighteval_details_parquet_both_layouts(toy: Path, tmp_path: Path) -> None:
    wrap = "Solve the following math problem efficiently and clearly.\n\n{q}\n\nPut the final answer in \\boxed{{}}."
    folder = tmp_path / "out" / "details" / "deepseek-ai" / "R1-Distill" / "2025-01-01T00-00-00"
    folder.mkdir(parents=True)
    legacy = folder / "details_lighteval|aime24|0_2025-01-01T00-00-00.parquet"
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "example": wrap.format(q=TOY[1]["problem"]),
                    "full_prompt": wrap.format(q=TOY[1]["problem"]),
                    "predictions": ["x = 31, so \\boxed{31}"],
                    "gold": ["31"],
                    "metrics": {"extractive_match": 1.0},
                    "specifics": {"extracted_predictions": ["31"]},
                },
                {
                    "example": wrap.format(q=TOY[0]["problem"]),
                    "full_prompt": wrap.format(q=TOY[0]["problem"]),
                    "predictions": ["\\boxed{50}"],
                    "gold": ["55"],
                    "metrics": {"extractive_match": 0.0},
                    "specifics": {"extracted_predictions": ["50"]},
                },
            ]
        ),
        legacy,
    )
    (run,) = import_runs(legacy, "lighteval", str(toy), tmp_path / "runs")
    assert run.model == "deepseek-ai/R1-Distill"
    records = {r["problem_id"]: r for r in load_samples(run.directory)}
    assert records["toy-2"]["correct"] and records["toy-2"]["reported_correct"] is True
    assert records["toy-1"]["reported_extracted"] == "50" and records["toy-1"]["correct"] is False

    new = tmp_path / "details_new.parquet"
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "doc": {"query": wrap.format(q=TOY[2]["problem"]), "choices": ["72"], "gold_index": 0},
                    "model_response": {"text": ["\\boxed{72}", "\\boxed{70}"], "input": "prompt"},
                    "metric": {"pass@k:k=1&n=2": 0.5},
                },
            ]
        ),
        new,
    )
    samples = read_foreign(new, "lighteval")
    assert [(s.sample, s.reported_correct) for s in samples] == [(0, None), (1, None)]  # only a pooled score
    (run,) = import_runs(new, "lighteval", str(toy), tmp_path / "runs")
    assert run.summary["metrics"]["pass1"] == 0.5 and run.model == "details_new"


def test_matharena_outputs(toy: Path, tmp_path: Path) -> None:
    path = tmp_path / "aime_toy_outputs.parquet"
    rows = [
        {
            "problem_idx": str(i + 1),
            "problem": TOY[i]["problem"],
            "model_name": model,
            "model_config": "x.yaml",
            "idx_answer": j,
            "user_message": "...",
            "answer": f"Thus \\boxed{{{TOY[i]['answer'] + j}}}",
            "input_tokens": 100,
            "output_tokens": 2000 + j,
            "gold_answer": str(TOY[i]["answer"]),
            "parsed_answer": str(TOY[i]["answer"] + j),
            "correct": j == 0,
        }
        for model in ("m1", "m2")
        for i in range(3)
        for j in range(4)
    ]
    pq.write_table(pa.Table.from_pylist(rows), path)
    runs = import_runs(path, "matharena", str(toy), tmp_path / "runs")
    assert [(r.model, r.n_samples, r.summary["metrics"]["pass1"], r.n_disagreements) for r in runs] == [
        ("m1", 12, 0.25, 0),
        ("m2", 12, 0.25, 0),
    ]
    record = load_samples(runs[0].directory)[0]
    assert record["completion_tokens"] == 2000 and record["prompt_tokens"] == 100


def test_matharena_id_from_file_name(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "aime_2025_outputs.jsonl",
        [
            {
                "problem_idx": "18",
                "problem": "",
                "model_name": "m",
                "idx_answer": 0,
                "answer": "\\boxed{82}",
                "parsed_answer": "82",
                "correct": True,
            }
        ],
    )
    (sample,) = read_foreign(path, "matharena")
    assert sample.problem_id == "2025-II-3"


def test_generic_jsonl_by_id_or_question(toy: Path, tmp_path: Path) -> None:
    dump = _jsonl(
        tmp_path / "mine.jsonl",
        [
            {"problem_id": "toy-2", "response": "\\boxed{31}"},
            {"problem_id": "toy-2", "response": "\\boxed{30}"},  # no sample: numbered in file order
            {"question": TOY[0]["problem"], "response": "\\boxed{55}", "sample": 5, "finish_reason": "stop"},
        ],
    )
    (run,) = import_runs(dump, "jsonl", str(toy), tmp_path / "runs")
    keys = sorted((r["problem_id"], r["sample"], r["correct"]) for r in load_samples(run.directory))
    assert keys == [("toy-1", 5, True), ("toy-2", 0, True), ("toy-2", 1, False)]
    assert run.summary["imported"]["reported_accuracy"] is None


def test_our_own_samples_round_trip(toy: Path, tmp_path: Path) -> None:
    dump = _jsonl(
        tmp_path / "samples.jsonl",
        [
            {
                "problem_id": "toy-1",
                "sample": 0,
                "response": "\\boxed{55}",
                "finish_reason": "stop",
                "completion_tokens": 12,
                "extracted": "55",
                "correct": True,
            },
            {
                "problem_id": "toy-1",
                "sample": 1,
                "response": "<think>long",
                "finish_reason": "length",
                "completion_tokens": 99,
                "extracted": "7",
                "correct": False,
            },
        ],
    )
    (run,) = import_runs(dump, "samples", str(toy), tmp_path / "runs")
    records = load_samples(run.directory)
    assert [(r["status"], r["reported_extracted"], r["completion_tokens"]) for r in records] == [
        ("ok", "55", 12),
        ("truncated", "7", 99),
    ]
    assert run.summary["tokens"]["completion_total"] == 111


# ---------------------------------------------------------------- errors


def test_errors_name_the_file_and_line(toy: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"problem_id": "toy-1", "response": "x"}\n{"problem_id": "toy-1", "resp\n')
    with pytest.raises(ImportFileError, match=r"bad\.jsonl:2: invalid JSON"):
        import_runs(bad, "jsonl", str(toy), tmp_path / "runs")
    missing = _jsonl(tmp_path / "missing.jsonl", [{"problem_id": "toy-1"}])
    with pytest.raises(ImportFileError, match=r"missing\.jsonl:1: missing field 'response'"):
        read_foreign(missing, "jsonl")
    uneven = _jsonl(
        tmp_path / "uneven.jsonl", [{"idx": 0, "question": "q", "code": ["a", "b"], "score": [True]}]
    )
    with pytest.raises(ImportFileError, match=r"uneven\.jsonl:1: 2 responses in 'code' but 1 in 'score'"):
        read_foreign(uneven, "qwen-math")
    with pytest.raises(ImportFileError, match="unknown import format 'csv'"):
        read_foreign(missing, "csv")
    assert issubclass(ImportFileError, DatasetError)  # the CLI's existing handler prints it, exit 2


def test_unmatched_rows_are_listed(toy: Path, tmp_path: Path) -> None:
    dump = _jsonl(
        tmp_path / "stray.jsonl",
        [
            {"question": TOY[0]["problem"], "response": "\\boxed{55}"},
            {
                "question": "How many ways can 8 rooks be placed on a chessboard so none attack?",
                "response": "x",
            },
            {"problem_id": "2031-I-1", "response": "x"},
        ],
    )
    with pytest.raises(ImportFileError) as info:
        import_runs(dump, "jsonl", str(toy), tmp_path / "runs")
    message = str(info.value)
    assert "2 row(s) match no problem" in message
    assert "stray.jsonl:2: best match" in message and "stray.jsonl:3: id '2031-I-1' is not in" in message


def test_duplicate_sample_is_refused(toy: Path, tmp_path: Path) -> None:
    dump = _jsonl(
        tmp_path / "dup.jsonl",
        [
            {"problem_id": "toy-1", "sample": 0, "response": "a"},
            {"problem_id": "toy-1", "sample": 0, "response": "b"},
        ],
    )
    with pytest.raises(
        ImportFileError, match=r"dup\.jsonl:2: a second response for toy-1 sample 0 .*dup\.jsonl:1"
    ):
        import_runs(dump, "jsonl", str(toy), tmp_path / "runs")


def test_ambiguous_text_is_refused_not_guessed() -> None:
    index = TextIndex({"a": ["Find $x$ if $2x = 10$."], "b": ["Find $x$ if $2x = 10$ and $x > 0$."]})
    assert index.match("Find x if 2x=10.").problem_id == "a"  # both contain it; difflib settles the tie
    twins = TextIndex({"a": ["Find $x$ if $2x = 10$."], "b": ["Find x if 2x=10."]})
    match = twins.match("Find $x$ if $2x = 10$.")
    assert match.problem_id is None and "ambiguous" in match.reason
    assert tokens("$\\dfrac{1}{2}\\,x$") == tokens("\\frac{1}{2} x")


@pytest.mark.parametrize("code", ["-" * 100_000 + "1", "[" * 1000, "{" * 5000])
def test_hostile_string_fields_are_text_not_crashes(tmp_path: Path, code: str) -> None:
    dump = _jsonl(tmp_path / "hostile.jsonl", [{"idx": 0, "question": "q", "code": code, "pred": code}])
    (sample,) = read_foreign(dump, "qwen-math")
    assert sample.response == code
