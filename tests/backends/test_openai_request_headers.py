"""The sampling request (sent by `JsonPost`, outside the SDK's request pipeline) carries the headers the
`openai` client itself sends: checked against the client's own GET /models on a capturing server."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from evaluator.backends.openai_api import OpenAIBackend
from evaluator.types import BackendConfig, Message, Request, SamplingParams

KEY_ENV = "AIME_EVAL_TEST_KEY"
SECRET = "sk-test-headers-0123456789"
# Headers the SDK sets once per client; per-request ones (retry count, read timeout) are the pipeline's own.
CLIENT_HEADERS = ("authorization", "user-agent", "x-stainless-lang", "x-stainless-package-version",
                  "x-stainless-os", "x-stainless-arch", "x-stainless-runtime", "x-stainless-async")  # fmt: skip

ANSWER = {
    "id": "x", "object": "chat.completion", "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "\\boxed{7}"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2},
}  # fmt: skip


def test_sampling_request_sends_the_sdk_client_headers(monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    seen: dict[str, tuple[dict[str, str], bytes]] = {}

    async def capture(request: web.Request) -> web.Response:
        seen[request.path] = ({k.lower(): v for k, v in request.headers.items()}, await request.read())
        if request.path.endswith("/models"):
            return web.json_response({"object": "list", "data": [{"id": "m", "object": "model"}]})
        return web.json_response(ANSWER)

    async def go() -> list:
        app = web.Application()
        app.router.add_get("/v1/models", capture)
        app.router.add_post("/v1/chat/completions", capture)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        backend = OpenAIBackend(BackendConfig(kind="openai", model="m", base_url=f"http://127.0.0.1:{port}/v1",
                                              api_key_env=KEY_ENV, max_retries=0))  # fmt: skip
        try:
            request = Request("p", (Message("user", "hi"),), (0,))
            return [c async for c in backend.generate([request], SamplingParams(seed=1))]
        finally:
            await backend.aclose()
            await runner.cleanup()

    (completion,) = asyncio.run(go())
    assert completion.ok and completion.text == "\\boxed{7}"
    sdk_headers, _ = seen["/v1/models"]  # sent by the SDK's own pipeline
    headers, body = seen["/v1/chat/completions"]
    assert headers["authorization"] == f"Bearer {SECRET}"
    assert headers["content-type"] == "application/json" and headers["accept"] == "application/json"
    assert headers["user-agent"].startswith("AsyncOpenAI/Python")
    assert set(CLIENT_HEADERS) <= set(sdk_headers)
    assert {h: headers.get(h) for h in CLIENT_HEADERS} == {h: sdk_headers[h] for h in CLIENT_HEADERS}
    assert json.loads(body)["messages"] == [{"role": "user", "content": "hi"}]
