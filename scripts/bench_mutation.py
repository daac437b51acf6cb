"""Mutation audit: does the test suite turn red on plausible one-line bugs? One command, one table.

    python scripts/bench_mutation.py            # every mutation in MUTATIONS
    python scripts/bench_mutation.py --only equivalence-undecided-merged,checks-count-past-k
    python scripts/bench_mutation.py --list

Each mutation replaces one exact piece of source text (`old`, which must occur exactly once) by `new`, in a
throw-away copy of the checkout (the files git tracks or would track), and runs the tests that cover that
code there (`pytest -x`, the copy first on PYTHONPATH, so the CLI subprocesses and the symbolic worker
import the mutant too). A mutation is *caught* when those tests fail, *survived* when they pass, *stale*
when its `old` text is no longer in the file (the code was rewritten: update the row), *broken* when
pytest could not run its tests (a missing file: fix the row). The checkout
itself is never modified, so an interrupted audit leaves nothing to undo.

Why a table rather than mutmut or cosmic-ray: those tools generate a mutant for nearly every operator and
constant (`<` to `<=`, `n` to `n + 1`), most of them equivalent or beside the point, and run a test command
for each; the audit becomes a long list to triage, and it changes whenever the code moves. A table holds
the bugs we fear, each with the reason it is plausible, runs only the tests that cover each one, gives
the same answer on every run, and a survivor names the test to write. New rows: copy the
`old` text from the source exactly, keep `tests` to the files that cover it, put the most specific first.

Exit status: 0 when every mutation is caught, 1 when any survived, is stale or broken, 2 when the unmutated
copy already fails its tests (then nothing can be concluded).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 900  # per mutation: a mutant that hangs its tests counts as caught (and is labelled so)


@dataclass(frozen=True, kw_only=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]
    note: str


GRADING, METRICS, RUN, BENCH, IMPORTS = "tests/grading/", "tests/metrics/", "tests/run/", "tests/benchmarks/", "tests/imports/"

MUTATIONS: tuple[Mutation, ...] = (
    # the seven survivors of the second audit
    Mutation(name="eval-guard-match", file="evaluator/grading/_sympy_compare.py",
             old="_NUMERIC_LITERAL.fullmatch(s)", new="_NUMERIC_LITERAL.match(s)",
             tests=(GRADING + "test_eval_guard_payloads.py", GRADING + "test_eval_guard_lazy_modules.py", GRADING + "test_grade_symbolic.py"),
             note="the guard checks only that a text starts with a number: `1+__import__('os')...` reaches eval"),
    Mutation(name="worker-kept-after-timeout", file="evaluator/grading/_symbolic_worker.py",
             old="            except queue.Empty:\n                self._stop()\n",
             new="            except queue.Empty:\n",
             tests=(GRADING + "test_symbolic_worker_timeouts.py", GRADING + "test_grade_symbolic.py"),
             note="the busy worker is kept: its late reply answers the next question"),
    Mutation(name="timeout-as-verdict", file="evaluator/grading/_symbolic_worker.py",
             old='return SymbolicResult(None, "timeout")', new='return SymbolicResult(False, "timeout")',
             tests=(GRADING + "test_symbolic_worker_timeouts.py", GRADING + "test_grade_symbolic.py"),
             note="a timeout becomes 'not equal' and is cached as that decision"),
    Mutation(name="equivalence-undecided-merged", file="evaluator/grading/equivalence.py",
             old="            if equal is True:\n                match = representative",
             new="            if equal is not False:\n                match = representative",
             tests=(GRADING + "test_equivalence_undecided.py", METRICS + "test_cons_equivalence.py"),
             note="pairs the checker cannot decide pool into one cons@k vote class"),
    Mutation(name="checks-count-past-k", file="evaluator/run/checks.py",
             old='used = [r for r in records if int(r["sample"]) < k]', new="used = list(records)",
             tests=(RUN + "test_checks_past_k.py", RUN + "test_protocol_checks.py"),
             note="`evaluate score --k 2` on a k=4 run checks samples it does not score"),
    Mutation(name="identity-raw-base-url", file="evaluator/run/runner.py",
             old='"base_url": public_url(self.backend.base_url),\n', new='"base_url": self.backend.base_url,\n',
             tests=(RUN + "test_identity_credentials.py", RUN + "test_run_identity.py"),
             note="user:password@ from --base-url lands in config.json and the run hash"),
    Mutation(name="wording-marker-whitespace", file="evaluator/benchmarks/checking.py",
             old='text = " ".join(row.problem.split())', new="text = row.problem",
             tests=(BENCH + "test_wording_markers.py", BENCH + "test_contests.py"),
             note="a re-wrapped II-10 is 'unrecognised' and graded against whatever key it carries"),
    # the thin spots of the second audit
    Mutation(name="complete-if-every-problem-present", file="evaluator/metrics/summary.py",
             old='"complete": n == k * len(problems) and errors == 0,',
             new='"complete": len({r["problem_id"] for r in used}) == len(problems) and errors == 0,',
             tests=(IMPORTS + "test_imported_complete.py", IMPORTS + "test_import.py", METRICS + "test_summary_rates.py"),
             note="a ragged import (one problem short of k samples) passes as complete"),
    Mutation(name="no-answer-rate-without-truncated", file="evaluator/metrics/summary.py",
             old='_share(statuses, ("no_answer", "truncated"), n)', new='_share(statuses, ("no_answer",), n)',
             tests=(METRICS + "test_summary_rates_counted.py", METRICS + "test_summary_rates.py"),
             note="cut-off samples stop counting as answerless"),
    Mutation(name="rates-over-all-samples", file="evaluator/metrics/summary.py",
             old='"truncated": (sum(1 for r in used if r.get("finish_reason") == "length"',
             new='"truncated": (sum(1 for r in records if r.get("finish_reason") == "length"',
             tests=(METRICS + "test_summary_rates_counted.py", METRICS + "test_summary_rates.py"),
             note="the truncation rate counts samples past k"),
    Mutation(name="store-last-duplicate-wins", file="evaluator/run/store.py",
             old="seen.setdefault(sample_key(check_record(path, lineno, record)), cast(SampleRecord, record))",
             new="seen[sample_key(check_record(path, lineno, record))] = cast(SampleRecord, record)",
             tests=(RUN + "test_store_duplicates.py", RUN + "test_store.py"),
             note="a sample written twice is scored by its second line"),
    Mutation(name="store-retries-finished-samples", file="evaluator/run/store.py",
             old="return [r for key, r in latest.items() if key not in finished]", new="return list(latest.values())",
             tests=(RUN + "test_store_duplicates.py", RUN + "test_store.py"),
             note="an error line for a sample that later finished is retried and counted as an error"),
    # grading
    Mutation(name="boxes-inside-thinking", file="evaluator/grading/extract.py",
             old="    start = max(cut, 0)\n", new="    start = 0\n",
             tests=(GRADING + "test_extract_think.py", GRADING + "test_extract_unclosed_think.py", GRADING + "test_real_generations.py"),
             note="draft boxes inside <think> count as the answer"),
    Mutation(name="range-upper-bound-dropped", file="evaluator/grading/extract.py",
             old="if answer_range is not None and value is not None and value not in answer_range:",
             new="if answer_range is not None and value is not None and value < 0:",
             tests=(GRADING + "test_answer_range.py", GRADING + "test_extract_range_ambiguous.py", GRADING + "test_extract_boxed.py", GRADING + "test_number_forms.py"),
             note="answers above 999 are taken silently"),
    Mutation(name="ambiguity-needs-three-boxes", file="evaluator/grading/extract.py",
             old="AMBIGUOUS if len(candidates) > 1 and not chosen else OK",
             new="AMBIGUOUS if len(candidates) > 2 and not chosen else OK",
             tests=(GRADING + "test_extract_range_ambiguous.py", GRADING + "test_extract_boxed.py", GRADING + "test_extract_think.py"),
             note="two different boxed answers are not flagged"),
    Mutation(name="negative-not-an-integer", file="evaluator/grading/normalise.py",
             old='\n_INT = re.compile(r"-?\\d{1,40}")', new='\n_INT = re.compile(r"\\d{1,40}")',
             tests=(GRADING + "test_number_forms.py", GRADING + "test_extract_normalise.py", GRADING + "test_contest_answers.py"),
             note="-984 (an HMMT key) is no longer read as an integer"),
    Mutation(name="integer-gold-goes-symbolic", file="evaluator/grading/grade.py",
             old="            continue  # an integer gold is never compared symbolically\n", new="",
             tests=(GRADING + "test_grade_symbolic.py", GRADING + "test_non_integer_golds.py"),
             note="AIME's integer keys start the sympy worker"),
    Mutation(name="undecided-counts-as-correct", file="evaluator/grading/grade.py",
             old="            if result.equal:\n", new="            if result.equal is not False:\n",
             tests=(GRADING + "test_grade_symbolic.py", GRADING + "test_symbolic_worker_timeouts.py"),
             note="a timeout or an unparsable answer is graded correct"),
    Mutation(name="decimals-decided-exactly", file="evaluator/grading/grade.py",
             old='        return None if "." in answer or "." in gold else False\n    sa, sb',
             new="        return False\n    sa, sb",
             tests=(GRADING + "test_non_integer_golds.py", GRADING + "test_number_forms.py", GRADING + "test_grade_symbolic.py"),
             note="0.333 vs 1/3 is decided 'different' before Math-Verify's rounding rules see it"),
    Mutation(name="right-spellings-not-united", file="evaluator/grading/equivalence.py",
             old="            mapping[answer] = gold\n", new="            mapping[answer] = answer\n",
             tests=(METRICS + "test_cons_equivalence.py", GRADING + "test_equivalence_undecided.py"),
             note="cons@k votes on spellings of the right answer"),
    Mutation(name="one-class-compared", file="evaluator/grading/equivalence.py",
             old="representatives[:MAX_CLASSES]", new="representatives[:1]",
             tests=(GRADING + "test_equivalence_later_classes.py", METRICS + "test_cons_equivalence.py"),
             note="a wrong answer is compared with the first wrong class only"),
    Mutation(name="first-think-end", file="evaluator/grading/extract.py",
             old="(i := text.rfind(m)) >= 0", new="(i := text.find(m)) >= 0",
             tests=(GRADING + "test_extract_last_think_end.py", GRADING + "test_extract_think.py"),
             note="the answer region starts after the first </think>, so a second thinking block's drafts count"),
    Mutation(name="loose-numeric-tolerance", file="evaluator/grading/_sympy_compare.py",
             old="_TOLERANCE = 1e-9", new="_TOLERANCE = 1e-3",
             tests=(GRADING + "test_fallback_own_parse.py", GRADING + "test_grade_symbolic.py",
                    GRADING + "test_non_integer_golds.py", GRADING + "test_number_forms.py"),
             note="355/113 passes for pi in `_same`, the fallback used when Math-Verify cannot parse a side "
                  "(reached by an unbraced box argument: `\\boxed\\frac{355}{113}`)"),
    Mutation(name="subset-equals-set", file="evaluator/grading/_sympy_compare.py",
             old="return len(a) == len(b) and all(any(_same(x, y) for y in b) for x in a)",
             new="return all(any(_same(x, y) for y in b) for x in a)",
             tests=(GRADING + "test_fallback_own_parse.py", GRADING + "test_grade_symbolic.py",
                    GRADING + "test_non_integer_golds.py"),
             note="{1} is graded equal to {1, 2} in `_same` (the same fallback, reached by `\\boxed\\{1\\}`)"),
    Mutation(name="disagreement-missing-verdict", file="evaluator/grading/disagreements.py",
             old='bool(r["reported_correct"]) != bool(r.get("correct"))',
             new='r["reported_correct"] != r.get("correct")',
             tests=(GRADING + "test_disagreements.py", IMPORTS + "test_import.py"),
             note="a record without `correct` disagrees with a dump that also said wrong"),
    # metrics
    Mutation(name="pass-at-k-boundary", file="evaluator/metrics/_kernels.py",
             old="    if n - c < k:\n        return 1.0", new="    if n - c <= k:\n        return 1.0",
             tests=(METRICS + "test_metrics.py", METRICS + "test_metrics_simulation.py"),
             note="pass@k is 1 when exactly k samples are wrong"),
    Mutation(name="pass-at-k-product-range", file="evaluator/metrics/_kernels.py",
             old="np.arange(n - c + 1, n + 1, dtype=np.float64)", new="np.arange(n - c, n + 1, dtype=np.float64)",
             tests=(METRICS + "test_metrics.py", METRICS + "test_metrics_simulation.py"),
             note="off by one in the unbiased estimator's product"),
    Mutation(name="majority-tie-first-seen", file="evaluator/metrics/_kernels.py",
             old="    return sum(a in golds for a in tied) / len(tied)\n", new="    return float(tied[0] in golds)\n",
             tests=(METRICS + "test_metrics_majority.py", METRICS + "test_metrics.py"),
             note="a tie goes to the answer seen first instead of sharing the credit"),
    Mutation(name="abstentions-tie-the-vote", file="evaluator/metrics/_kernels.py",
             old="tied = (counts == top) & (top > 0)", new="tied = counts == top",
             tests=(METRICS + "test_majority_abstentions.py", METRICS + "test_metrics_majority.py",
                    METRICS + "test_metrics.py", METRICS + "test_metrics_bootstrap.py"),
             note="a draw where every sample abstained credits the empty answers"),
    Mutation(name="g-pass-threshold-floor", file="evaluator/metrics/stability.py",
             old="max(1, math.ceil(round(tau * k, 9)))", new="max(1, math.floor(tau * k))",
             tests=(METRICS + "test_stability.py",), note="G-Pass@k's threshold rounds down"),
    Mutation(name="pass-hat-with-replacement", file="evaluator/metrics/stability.py",
             old="return math.comb(c, k) / math.comb(n, k)", new="return (c / n) ** k",
             tests=(METRICS + "test_stability.py",), note="pass^k estimated as if samples were drawn with replacement"),
    Mutation(name="paired-diff-reversed", file="evaluator/metrics/estimators.py",
             old="diffs = points_a - points_b", new="diffs = points_b - points_a",
             tests=(METRICS + "test_metrics.py", METRICS + "test_metric_specs.py", METRICS + "test_metrics_bootstrap.py"),
             note="`evaluate compare A B` reports B - A under the name A - B"),
    Mutation(name="cons-k-always-comparable", file="evaluator/metrics/verdict.py",
             old="comparable = t.k is None or t.k == metrics.cons_k", new="comparable = True",
             tests=(METRICS + "test_verdict.py",),
             note="a published cons@64 is judged against this run's cons@8"),
    Mutation(name="summary-includes-sample-k", file="evaluator/metrics/summary.py",
             old='used = [r for r in records if int(r["sample"]) < k]', new='used = [r for r in records if int(r["sample"]) <= k]',
             tests=(METRICS + "test_summary_rates.py", METRICS + "test_summary_rates_counted.py", "tests/cli/test_cli_lower_k.py"),
             note="the summary of k counts k+1 samples per problem"),
)


def _copy_checkout(into: Path) -> Path:
    """The checkout's files (tracked, and new ones git does not ignore) under `into/<name>`, with `into/shared` pointing where ../shared does
    (tests find third-party data beside the checkout)."""
    tracked = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, check=True).stdout
    root = into / REPO.name
    for name in filter(None, tracked.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    shared = REPO.parent / "shared"
    if shared.exists():
        (into / "shared").symlink_to(shared.resolve())
    return root


def _pytest(root: Path, tests: tuple[str, ...]) -> tuple[int, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    env.setdefault("AIME_EVAL_DATA_DIR", str(REPO.parent / "shared" / "data"))
    began = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                              cwd=root, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return -1, time.monotonic() - began
    return done.returncode, time.monotonic() - began


def run(mutations: tuple[Mutation, ...]) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-mutation-") as tmp:
        root = _copy_checkout(Path(tmp))
        every_test = tuple(dict.fromkeys(t for m in mutations for t in m.tests))
        code, seconds = _pytest(root, every_test)
        print(f"baseline: {len(every_test)} test files on the unmutated copy: exit {code} ({seconds:.0f} s)")
        if code != 0:
            print("the unmutated code already fails these tests: fix that first")
            return 2
        outcome: dict[str, list[str]] = {"caught": [], "survived": [], "stale": [], "broken": []}
        for m in mutations:
            path = root / m.file
            original = path.read_text(encoding="utf-8")
            if original.count(m.old) != 1:
                outcome["stale"].append(m.name)
                print(f"  stale     {m.name:36} `old` occurs {original.count(m.old)} times in {m.file}")
                continue
            path.write_text(original.replace(m.old, m.new), encoding="utf-8")
            try:
                code, seconds = _pytest(root, m.tests)
            finally:
                path.write_text(original, encoding="utf-8")
            # 1: a test failed; 2: collection failed (the mutant broke an import); -1: hung. 3-5 (internal
            # error, bad usage such as a missing test file, nothing collected) say nothing about the mutant.
            verdict = "survived" if code == 0 else "caught" if code in (1, 2, -1) else "broken"
            outcome[verdict].append(m.name)
            how = {0: "tests pass", 1: "tests fail", -1: "tests hang"}.get(code, f"pytest exit {code}")
            print(f"  {verdict:9} {m.name:36} {how} ({seconds:.0f} s): {m.note}", flush=True)
    caught, total = len(outcome["caught"]), len(mutations)
    print(f"caught {caught}/{total}; " + "; ".join(f"{kind}: {', '.join(outcome[kind]) or 'none'}"
                                                 for kind in ("survived", "stale", "broken")))
    return 0 if caught == total else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated mutation names")
    parser.add_argument("--list", action="store_true", help="print the table and exit")
    args = parser.parse_args()
    chosen = MUTATIONS
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {m.name for m in MUTATIONS}
        if unknown:
            parser.error(f"unknown mutation(s): {', '.join(sorted(unknown))}")
        chosen = tuple(m for m in MUTATIONS if m.name in wanted)
    if args.list:
        for m in chosen:
            print(f"{m.name:36} {m.file}: {m.note}")
        return 0
    return run(chosen)


if __name__ == "__main__":
    sys.exit(main())
