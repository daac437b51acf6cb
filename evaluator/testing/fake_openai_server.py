"""A deterministic OpenAI-compatible server with fault injection, for tests, benchmarks and stress runs.

Answers look like DeepSeek-R1 output (a <think> block, then a final \\boxed{N}) and depend only on
(prompt, seed, choice index), so seeded runs reproduce; with `judge=` set it plays a grader model
instead. Faults (429 + Retry-After, 500, dropped
connections, latency, servers that reject or ignore `n`) are set per instance. Hostile answers that
providers really give (`QUIRKS`: empty choices, usage as strings, content as a list of parts, 200 with
an error body, a body trickling in one byte a second, ...) are faults too: set `quirk` for every
request, or name them in `script` for the next few. `models_html` makes GET /models answer a web page.
Loopback only.

In-process:  `with FakeOpenAIServer(FakeServerConfig(latency_s=0.1)) as url: ...`
Standalone:  `python -m evaluator.testing.fake_openai_server --port 8011 --latency 0.5 --fault-rate 0.3`
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from evaluator.testing._fake_quirks import MUTATIONS, QUIRKS, RAW_QUIRKS, STATUS_QUIRKS

FAULT_KINDS = ("429", "500", "drop")  # also "slow": answer only after `slow_s` (a client timeout)
@dataclass
class FakeServerConfig:
    """How the server behaves; mutable, so a test can change it between calls."""

    answers: Mapping[str, int] = field(default_factory=dict)  # substring of the prompt -> correct answer
    accuracy: float = 1.0  # chance that a matched problem gets its correct answer
    latency_s: float = 0.0  # added to every request (also to faults)
    fault_rate: float = 0.0  # chance that a request fails with one of `fault_kinds`
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    fault_seed: int = 0
    script: list[str] = field(default_factory=list)  # faults for the next requests, in order ("ok" = none)
    retry_after_s: float = 1.0  # sent with every 429
    slow_s: float = 5.0  # how long a "slow" fault holds the request before answering normally
    n_mode: str = "accept"  # accept | reject (400 when n > 1) | ignore (always one choice)
    reasoning_content: bool = False  # split the <think> block into message.reasoning_content
    api_key: str | None = None  # when set, any other bearer token gets a 401
    echo_auth_in_errors: bool = False  # 500 bodies quote the Authorization header (key-leak tests)
    think_words: int = 40  # length of the reasoning, in words (a word is one "token")
    models: tuple[str, ...] = ("fake-r1",)
    # plays a grader model: when set, each chat reply is judge(prompt) verbatim (no <think> block)
    judge: Callable[[str], str] | None = None
    # protocol faults (the protocol checks must catch each one; a default server passes them all)
    ignore_sampling: bool = False  # like DeepSeek's API: temperature/top_p/seed ignored, every sample the same
    served_model: str | None = None  # the `model` named in responses (an alias resolved to another model)
    drop_reasoning: bool = False  # return only the text after </think> (a provider that drops the reasoning)
    quirk: str = "ok"  # a fault or QUIRKS entry applied to every request the script does not cover
    trickle_s: float = 1.0  # seconds between the bytes of a "trickle" body
    models_html: bool = False  # GET /models answers 200 with an HTML page (a base URL that is a website)
    # a hostile server: every sampling request gets a 400 whose message is reject(Authorization header)
    reject: Callable[[str], str] | None = None


@dataclass
class Received:
    """One request as the server saw it (for assertions)."""

    path: str
    body: dict
    at: float
    outcome: str
    header_names: frozenset[str] = frozenset()  # lower-case


class FakeOpenAIServer:
    """The aiohttp app plus a background-thread runner; `start()` returns the base URL (…/v1)."""

    def __init__(self, config: FakeServerConfig | None = None) -> None:
        self.config = config or FakeServerConfig()
        self.received: list[Received] = []
        self._faults = random.Random(self.config.fault_seed)
        self._unseeded = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # ---- app ---------------------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/completions", self._completions)
        return app

    async def _models(self, request: web.Request) -> web.StreamResponse:
        denied = self._check_key(request)
        if denied is not None:
            return denied
        if self.config.models_html:
            return web.Response(text="<!doctype html><html><body>Welcome to our site</body></html>", content_type="text/html")
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.config.models]
        return web.json_response({"object": "list", "data": data})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, chat=True)

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, chat=False)

    async def _handle(self, request: web.Request, chat: bool) -> web.StreamResponse:
        body = await request.json()
        cfg = self.config
        if cfg.latency_s:
            await asyncio.sleep(cfg.latency_s)
        denied = self._check_key(request)
        if denied is not None:
            self._record(request, body, "401")
            return denied
        if cfg.reject is not None:
            self._record(request, body, "400")
            return _error(400, cfg.reject(request.headers.get("Authorization", "")))
        fault = self._next_fault()
        self._record(request, body, fault)
        if fault == "slow":
            await asyncio.sleep(cfg.slow_s)
        if fault == "429":
            return _error(429, "rate limited", headers={"Retry-After": f"{cfg.retry_after_s:g}"})
        if fault == "500":
            detail = f" (auth: {request.headers.get('Authorization', '')})" if cfg.echo_auth_in_errors else ""
            return _error(500, "internal error" + detail)
        if fault == "drop":
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError
        n = int(body.get("n") or 1)
        if n > 1 and cfg.n_mode == "reject":
            return _error(400, "Invalid value for 'n': only n=1 is supported.", param="n")
        if cfg.n_mode == "ignore":
            n = 1
        if body.get("model") not in cfg.models:
            return _error(404, f"The model `{body.get('model')}` does not exist.", code="model_not_found")
        if fault in STATUS_QUIRKS:
            return _error(*STATUS_QUIRKS[fault])
        if fault in RAW_QUIRKS:
            raw, content_type = RAW_QUIRKS[fault]
            return web.Response(body=raw, content_type=content_type)
        data = self._respond(body, chat, n)
        if fault in MUTATIONS:
            MUTATIONS[fault](data, n)
        if fault == "trickle":
            return await self._trickle(request, json.dumps(data).encode())
        return web.json_response(data)

    async def _trickle(self, request: web.Request, payload: bytes) -> web.StreamResponse:
        """Headers at once, then one byte per `trickle_s`: every read is quick, the whole body is not."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        try:
            for byte in payload:
                await response.write(bytes([byte]))
                await asyncio.sleep(self.config.trickle_s)
            await response.write_eof()
        except ConnectionError:  # the client gave up (its timeout): the point of this quirk
            pass
        return response

    # ---- behaviour ---------------------------------------------------------------------------------
    def _check_key(self, request: web.Request) -> web.Response | None:
        if (
            self.config.api_key is None
            or request.headers.get("Authorization") == f"Bearer {self.config.api_key}"
        ):
            return None
        return _error(401, "Incorrect API key provided.", code="invalid_api_key")

    def _next_fault(self) -> str:
        cfg = self.config
        if cfg.script:
            return cfg.script.pop(0)
        if cfg.fault_rate and self._faults.random() < cfg.fault_rate:
            return self._faults.choice(cfg.fault_kinds)
        return cfg.quirk

    def _record(self, request: web.Request, body: dict, outcome: str) -> None:
        names = frozenset(name.lower() for name in request.headers)
        self.received.append(Received(request.path, body, time.monotonic(), outcome, names))

    def _respond(self, body: dict, chat: bool, n: int) -> dict:
        if chat:
            messages = body.get("messages", [])
            prompt = "\n".join(f"{m.get('role')}: {m.get('content')}" for m in messages)
            prefilled = (
                bool(body.get("continue_final_message"))
                and bool(messages)
                and messages[-1].get("role") == "assistant"
            )
            prefix = messages[-1].get("content", "") if prefilled else ""
        else:
            prompt = str(body.get("prompt", ""))
            prefix = "<think>\n" if prompt.endswith("<think>\n") else ""
        cfg = self.config
        limit = body.get("max_completion_tokens") or body.get("max_tokens") or 10**9
        seed = body.get("seed")
        choices, completion_tokens, reasoning_tokens = [], 0, 0
        for index in range(n):
            if cfg.ignore_sampling:
                key = f"{prompt}|fixed"
            elif seed is None:
                self._unseeded += 1
                key = f"{prompt}|unseeded|{self._unseeded}"
            else:
                key = f"{prompt}|{seed}|{index}"
            if self.config.judge is not None and chat:
                think, final = "", self.config.judge(prompt)
                full = final
            else:
                think, final = self._sample(prompt, key)
                full = f"<think>\n{think}\n</think>\n\n{final}"
            words = full.split(" ")
            finish = "length" if len(words) > limit else "stop"
            text = " ".join(words[: int(limit)])
            think_len = min(len(think.split(" ")), int(limit)) if think else 0
            if cfg.drop_reasoning:
                text = text.partition("</think>")[2].strip()
            if prefix and text.startswith(prefix):
                text = text[len(prefix) :]
            completion_tokens += min(len(words), int(limit))
            reasoning_tokens += think_len
            choices.append(self._choice(index, text, finish, chat))
        usage = {
            "prompt_tokens": len(prompt.split()),
            "completion_tokens": completion_tokens,
            "total_tokens": len(prompt.split()) + completion_tokens,
            "completion_tokens_details": {"reasoning_tokens": reasoning_tokens},
        }
        kind = "chat.completion" if chat else "text_completion"
        return {
            "id": f"fake-{random.getrandbits(32):x}",
            "object": kind,
            "created": int(time.time()),
            "model": cfg.served_model or body.get("model"),
            "choices": choices,
            "usage": usage,
        }

    def _choice(self, index: int, text: str, finish: str, chat: bool) -> dict:
        if not chat:
            return {"index": index, "text": text, "finish_reason": finish, "logprobs": None}
        message: dict[str, object] = {"role": "assistant", "content": text}
        if self.config.reasoning_content:  # like DeepSeek: a cut-off reasoning leaves content empty
            reasoning, _, content = text.partition("</think>")
            message = {
                "role": "assistant",
                "content": content.strip(),
                "reasoning_content": reasoning.removeprefix("<think>\n").strip(),
            }
        return {"index": index, "message": message, "finish_reason": finish, "logprobs": None}

    def _sample(self, prompt: str, key: str) -> tuple[str, str]:
        """(reasoning, final answer text) drawn from a RNG seeded by `key`; matched problems use the table."""
        rng = random.Random(hashlib.sha256(key.encode()).digest())
        gold = next((a for k, a in self.config.answers.items() if k in prompt), None)
        if gold is not None and rng.random() < self.config.accuracy:
            answer = gold
        else:
            answer = rng.randrange(1000)
            if gold is not None and answer == gold:
                answer = (answer + 1) % 1000
        filler = ("so", "we", "check", "the", "case", "then", "sum", "wait", "compute", "mod", "hence")
        words = [rng.choice(filler) for _ in range(max(self.config.think_words - 4, 0))]
        think = "Okay, let me think. " + " ".join(words)
        return think, f"The answer is $\\boxed{{{answer}}}$."

    # ---- running -----------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a daemon thread; returns the base URL, e.g. http://127.0.0.1:41234/v1."""
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._runner = web.AppRunner(self.app(), access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, host, port)
            self._loop.run_until_complete(site.start())
            bound = self._runner.addresses[0][1]
            self.url = f"http://{host}:{bound}/v1"
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="fake-openai-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake OpenAI server did not start")
        return self.url

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _error(
    status: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    return web.json_response(body, status=status, headers=dict(headers or {}))


def main(argv: list[str] | None = None) -> None:
    """Serve in the foreground (for stress tests that kill the client)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--faults", default=",".join(FAULT_KINDS), help="kinds to draw from: 429,500,drop,slow")
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument("--n-mode", choices=("accept", "reject", "ignore"), default="accept")
    parser.add_argument("--reasoning-content", action="store_true")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--think-words", type=int, default=40)
    parser.add_argument("--answers", default=None, help="JSON file: {prompt substring: answer}")
    parser.add_argument("--model", action="append", default=None, help="served model id (repeatable)")
    parser.add_argument("--ignore-sampling", action="store_true", help="identical samples whatever the seed")
    parser.add_argument("--served-model", default=None, help="model name to put in responses")
    parser.add_argument("--drop-reasoning", action="store_true", help="return only the text after </think>")
    parser.add_argument("--quirk", choices=("ok", *QUIRKS), default="ok", help="a hostile answer for every request")
    args = parser.parse_args(argv)
    answers = json.loads(Path(args.answers).read_text()) if args.answers else {}
    config = FakeServerConfig(
        answers=answers,
        latency_s=args.latency,
        fault_rate=args.fault_rate,
        fault_kinds=tuple(k for k in args.faults.split(",") if k),
        retry_after_s=args.retry_after,
        n_mode=args.n_mode,
        reasoning_content=args.reasoning_content,
        api_key=args.api_key,
        think_words=args.think_words,
        models=tuple(args.model or ("fake-r1",)),
        ignore_sampling=args.ignore_sampling,
        served_model=args.served_model,
        drop_reasoning=args.drop_reasoning,
        quirk=args.quirk,
    )
    server = FakeOpenAIServer(config)
    print(f"fake OpenAI server on http://{args.host}:{args.port}/v1", flush=True)
    web.run_app(server.app(), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
