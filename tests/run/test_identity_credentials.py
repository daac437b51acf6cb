"""A `user:password@` part in `--base-url` never reaches the run's identity, config.json or its hash.

Tested on the identity itself (`RunConfig`), which every way of starting a run goes through, so the rule
holds whatever the command line does with such a URL. The hash must equal the hash without the
credential: a hash that changes with the password would leak it to anyone who can guess candidates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.run.prompts import PromptTemplate
from evaluator.run.runner import RunConfig
from evaluator.run.store import RunStore, load_config
from evaluator.types import BackendConfig, SamplingParams

TEMPLATE = PromptTemplate("r1", "{problem}\nPlease reason step by step, and put your final answer within \\boxed{}.")
SECRETS = ("alice", "s3cr3t-pa55")


def _config(base_url: str) -> RunConfig:
    backend = BackendConfig(kind="openai", model="deepseek-r1", base_url=base_url)
    return RunConfig(model_name="deepseek-r1", backend=backend, dataset="aime-2024", dataset_origin="x",
                     dataset_hash="abc123", template=TEMPLATE, sampling=SamplingParams(), k=4,
                     assistant_prefix="<think>\n")


@dataclass(frozen=True)
class Case:
    url: str
    public: str  # the same URL without its credential
    note: str


CASES = (
    Case("https://alice:s3cr3t-pa55@api.example.com/v1", "https://api.example.com/v1", "user and password"),
    Case("http://alice:s3cr3t-pa55@127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1", "with a port"),
    Case("https://s3cr3t-pa55@api.example.com/v1?x=1", "https://api.example.com/v1?x=1", "a token as the user name"),
    Case("https://alice:@api.example.com/v1", "https://api.example.com/v1", "an empty password"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_credentials_stay_out_of_the_identity_and_its_hash(case: Case) -> None:
    with_secret, without = _config(case.url), _config(case.public)
    assert with_secret.identity()["base_url"] == case.public
    assert with_secret.identity() == without.identity()
    assert with_secret.config_hash() == without.config_hash()
    assert with_secret.run_name() == without.run_name()
    written = json.dumps(with_secret.to_json())
    assert not any(secret in written for secret in SECRETS if secret in case.url), written


def test_config_json_on_disk_holds_no_credential(tmp_path: Path) -> None:
    config = _config(CASES[0].url)
    with RunStore.open(tmp_path / "run", config.to_json(), config_hash=config.config_hash()):
        pass
    text = (tmp_path / "run" / "config.json").read_text()
    assert all(secret not in text for secret in SECRETS), text
    stored = load_config(tmp_path / "run")
    assert stored["identity"]["base_url"] == stored["backend_config"]["base_url"] == CASES[0].public


def test_a_url_without_credentials_is_kept_as_given() -> None:
    url = "https://openrouter.ai/api/v1"
    assert _config(url).identity()["base_url"] == url
    assert _config(url).to_json()["backend_config"]["base_url"] == url
