"""The network path of a named set, with a local HTTP server on 127.0.0.1 standing in for GitHub: files
built here in each upstream layout (MathArena folders, a JSONL of prompts, rllm's one-file list) from the
texts in ../shared, their sha256 patched into the manifest. A download is verified, cached and parsed to
the known text; a wrong hash is refused; offline, or with no route, every listed set fails in seconds
with one line saying what it would fetch and how to supply the text."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluator.benchmarks import pinned
from evaluator.benchmarks.known_texts import known_text
from evaluator.benchmarks.loader import DatasetError, load_benchmark
from evaluator.benchmarks.registry import NAMES

SUFFIX = "\nPlease reason step by step, and put your final answer within \\boxed{}."


class Upstream:
    """Serves `files` ({"/owner/name/commit/path": bytes}) on 127.0.0.1 and counts the requests."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                upstream.requests.append(self.path)
                body = upstream.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def publish(self, name: str, files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> None:
        """Serve a set's files at its real repo and commit, and pin their sha256 in the manifest."""
        real = dict(pinned._manifest())
        spec = dict(real[name], files={path: hashlib.sha256(body).hexdigest() for path, body in files.items()})
        for path, body in files.items():
            self.files[f"/{spec['repo']}/{spec['commit']}/{path}"] = body
        real[name] = spec
        monkeypatch.setattr(pinned, "_manifest", lambda: real)


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[Upstream]:
    server = Upstream()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(pinned, "RAW_BASE", server.base)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    monkeypatch.delenv("AIME_EVAL_DATA_DIR", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    yield server
    server.server.shutdown()
    server.server.server_close()


def _shared(shared_dir: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (shared_dir / "data" / name).read_text().splitlines() if line.strip()]


def _matharena_files(rows: list[dict], year: int) -> dict[str, bytes]:
    files = {}
    for exam in ("I", "II"):
        half = [r for r in rows if r["exam"] == exam]
        folder = f"data/aime/aime_{year}_{exam}"
        answers = "id,answer\n" + "".join(f"{r['number']},{r['answer']:03d}\n" for r in half)  # zero-padded
        files[f"{folder}/answers.csv"] = answers.encode()
        files.update({f"{folder}/problems/{r['number']}.tex": (r["problem"] + "\n").encode() for r in half})
    return files


def _prompt_jsonl(rows: list[dict]) -> bytes:
    """The math-ai/aime26 text as published: the uncorrected wording and its keys, an instruction appended."""
    return "".join(json.dumps({"answer": str(r.get("problem_alt_answer", r["answer"])),
                               "prompt": r.get("problem_alt", r["problem"]) + SUFFIX}) + "\n" for r in rows).encode()


def _rllm_json(rows: list[dict]) -> bytes:
    """rllm's layout: problem 15 numbered 0, exam as aime_number, answers as written."""
    return json.dumps([{"problem": r["problem"], "solution": "...", "answer": r["answer"], "year": r["year"],
                        "aime_number": len(r["exam"] or "I"), "problem_number": r["number"] % 15}
                       for r in rows]).encode()


Case = tuple[str, str, str, object]
CASES: list[Case] = [
    # (set, data file in ../shared, layout, builder)
    ("aime-2024", "aime_2024.jsonl", "matharena", lambda rows: _matharena_files(rows, 2024)),
    ("aime-2026", "aime_2026.jsonl", "prompt-jsonl", lambda rows: {"data/aime26.jsonl": _prompt_jsonl(rows)}),
    ("aime-2022", "aime_1983_2023.jsonl", "rllm", lambda rows: {"rllm/data/raw/aime_train.json": _rllm_json(rows)}),
]


@pytest.mark.parametrize(("name", "shared_file", "layout", "builder"), CASES, ids=[c[0] for c in CASES])
def test_download_verifies_caches_and_parses_to_the_known_text(
    shared_dir: Path, upstream: Upstream, monkeypatch: pytest.MonkeyPatch, name: str, shared_file: str,
    layout: str, builder,
) -> None:
    files = builder(_shared(shared_dir, shared_file))
    upstream.publish(name, files, monkeypatch)
    assert pinned.pinned_source(name).layout == layout
    bench = load_benchmark(name, hub_loader=_no_hub)
    assert len(upstream.requests) == len(files)
    assert bench.warnings == () and known_text(name, bench.content_hash)[1] is not None
    assert bench.content_hash == load_benchmark(name, shared_dir / "data").content_hash
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the second load reads the cache only
    assert load_benchmark(name, hub_loader=_no_hub).content_hash == bench.content_hash
    assert len(upstream.requests) == len(files)


def test_aime_2026_restores_the_official_wording_and_its_key(shared_dir: Path, upstream: Upstream,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    upstream.publish("aime-2026", {"data/aime26.jsonl": _prompt_jsonl(_shared(shared_dir, "aime_2026.jsonl"))},
                     monkeypatch)
    problems = {p.id: p for p in load_benchmark("aime-2026", hub_loader=_no_hub).problems}
    assert problems["2026-II-10"].answer == 340 and "greatest possible value of $BC" in problems["2026-II-10"].problem
    assert "nonnegative integer $r$" in problems["2026-I-13"].problem and "502m+r" in problems["2026-I-13"].problem


def test_a_wrong_hash_is_refused_and_nothing_is_kept(shared_dir: Path, upstream: Upstream,
                                                     monkeypatch: pytest.MonkeyPatch, _own_cache: Path) -> None:
    files = {"rllm/data/raw/aime_train.json": _rllm_json(_shared(shared_dir, "aime_1983_2023.jsonl"))}
    upstream.publish("aime-2023", files, monkeypatch)
    upstream.files = {path: body + b" " for path, body in upstream.files.items()}  # altered in transit
    with pytest.raises(DatasetError, match=r"aime_train\.json: refused, its sha256 is not the pinned"):
        load_benchmark("aime-2023", hub_loader=_no_hub)
    assert not [p for p in _own_cache.rglob("*") if p.is_file()]


def test_a_missing_file_falls_through_and_is_named(upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> None:
    upstream.publish("aime-2022", {"rllm/data/raw/aime_train.json": b"[]"}, monkeypatch)
    upstream.files.clear()  # the server answers 404
    with pytest.raises(DatasetError, match=r"aime-2022: problem text not found \(rllm-org/rllm@d68c703167ef: "
                                           r"DownloadFailed: .*404"):
        load_benchmark("aime-2022", hub_loader=_no_hub)


OFFLINE_SETS = [name for name in NAMES if name != "demo"]


@pytest.mark.parametrize("name", OFFLINE_SETS)
def test_offline_every_set_says_in_one_line_what_it_would_fetch(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.delenv("AIME_EVAL_DATA_DIR", raising=False)
    started = time.monotonic()
    with pytest.raises(DatasetError) as caught:
        load_benchmark(name)  # the real hub client, in offline mode
    message = str(caught.value)
    assert time.monotonic() - started < 10
    assert "\n" not in message and message.startswith(f"{name}: offline (HF_HUB_OFFLINE is set); would fetch ")
    assert f"{pinned.RAW_BASE}/{pinned.pinned_source(name).repo}/" in message
    assert "--data-dir DIR" in message and "--dataset FILE" in message and "evaluate datasets --download" in message


def test_with_no_route_the_set_fails_in_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as closed:  # a port nobody listens on: connection refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    monkeypatch.delenv("AIME_EVAL_DATA_DIR", raising=False)
    monkeypatch.setattr(pinned, "RAW_BASE", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(DatasetError, match=rf"hmmt-feb-2025: no network \(127\.0\.0\.1:{port}: .*\); would fetch "
                                           rf"http://127\.0\.0\.1:{port}/jianzhnie/LLMEval/"):
        load_benchmark("hmmt-feb-2025")
    assert time.monotonic() - started < 10


def _no_hub(repo: str, revision: str | None = None):
    raise AssertionError(f"the hub was asked for {repo} although the pinned file loads")
