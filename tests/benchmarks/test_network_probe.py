"""The reachability probe asks what a download would connect to: the host itself, or the proxy that the
environment names for it (unless NO_PROXY exempts the host); offline mode asks nothing."""

from __future__ import annotations

import pytest

from evaluator.benchmarks import network

CASES = [
    # (label, environment, url, what the probe connects to)
    ("direct", {}, "https://raw.githubusercontent.com/a/b", "https://raw.githubusercontent.com/a/b"),
    ("https proxy", {"HTTPS_PROXY": "http://proxy.corp:3128"}, "https://raw.githubusercontent.com/a",
     "http://proxy.corp:3128"),
    ("proxy without a scheme", {"HTTPS_PROXY": "proxy.corp:3128"}, "https://huggingface.co", "http://proxy.corp:3128"),
    ("exempt host", {"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": "127.0.0.1"}, "http://127.0.0.1:8000/x",
     "http://127.0.0.1:8000/x"),
]


@pytest.mark.parametrize(("label", "env", "url", "expected"), CASES, ids=[c[0] for c in CASES])
def test_probe_target(monkeypatch: pytest.MonkeyPatch, label: str, env: dict[str, str], url: str,
                      expected: str) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY",
                 "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert network._via_proxy(url) == expected


def test_offline_mode_asks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(network, "_unreachable", lambda host, port: pytest.fail("probed while offline"))
    with pytest.raises(network.Unreachable, match=r"offline \(HF_HUB_OFFLINE is set\)"):
        network.check_reachable("https://raw.githubusercontent.com/x")
