"""Is the network there? Offline mode (HF_HUB_OFFLINE / HF_DATASETS_OFFLINE) means no source is asked at
all; otherwise a TCP connection to a source's host must open within PROBE_TIMEOUT_S before anything is
downloaded, so a machine without network is told so in seconds, not after a client's retries (~50 s).
"""

from __future__ import annotations

import functools
import os
import socket
import threading
from urllib.parse import urlsplit

PROBE_TIMEOUT_S = 3.0
OFFLINE_ENVS = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")


class Unreachable(Exception):
    """A source cannot be asked: offline mode is on, or its host did not answer in time."""


def offline() -> bool:
    """HF_HUB_OFFLINE / HF_DATASETS_OFFLINE set: read caches only (the hub client honours the same)."""
    return any(os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on") for name in OFFLINE_ENVS)


def offline_reason() -> str:
    """Which setting makes this machine offline, for messages."""
    return next((f"{name} is set" for name in OFFLINE_ENVS if offline() and os.environ.get(name)), "offline")


def check_reachable(url: str) -> None:
    """Raise Unreachable when offline mode is on or the URL's host does not accept a connection in time."""
    if offline():
        raise Unreachable(f"offline ({offline_reason()})")
    parts = urlsplit(_via_proxy(url))
    host = parts.hostname or ""
    port = parts.port or (80 if parts.scheme == "http" else 443)
    if (reason := _unreachable(host, port)) is not None:
        raise Unreachable(f"no network ({reason})")


def _via_proxy(url: str) -> str:
    """The proxy a client would connect to for `url` ($HTTPS_PROXY, $ALL_PROXY, ... unless $NO_PROXY
    exempts the host), else the URL itself: behind a proxy, the proxy is what must answer."""
    import urllib.request

    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        return proxy if "://" in proxy else f"http://{proxy}"
    return url


@functools.cache
def _unreachable(host: str, port: int) -> str | None:
    """Why host:port cannot be reached, or None. Probed in a daemon thread, so a stalled DNS look-up
    cannot hold the user past the timeout; the answer is kept for the process."""
    outcome: list[str | None] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(f"{host}:{port}: {exc.strerror or exc.__class__.__name__}")

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(PROBE_TIMEOUT_S + 1)
    return outcome[0] if outcome else f"{host}:{port}: no answer in {PROBE_TIMEOUT_S:.0f} s"
