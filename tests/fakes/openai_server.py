"""A small OpenAI-compatible HTTP server for tests: real client, real HTTP, no internet.

It answers ``/v1/audio/transcriptions``, ``/v1/chat/completions``, ``/v1/embeddings`` and
``/v1/models`` with valid OpenAI shapes, records every request, plays back scripted responses
and injects failures (status codes, delays) so retries and timeouts can be tested with the
real ``openai`` client.

Example:
    >>> async def test_summary():                              # doctest: +SKIP
    ...     async with FakeOpenAI() as fake:
    ...         fake.chat.append("All good.")
    ...         fake.fail_next(status=429)                     # the client retries
    ...         client = openai.AsyncOpenAI(api_key="test", base_url=fake.base_url)
    ...         reply = await client.chat.completions.create(model="m", messages=[...])
    ...         assert reply.choices[0].message.content == "All good."
    ...         assert [path for path, _ in fake.requests] == ["/v1/chat/completions"] * 2

Scripts are plain lists consumed front first; when a list is empty the default answer is used.
A script entry may be a callable (sync or async) that receives the request body (a dict) and
returns any of the forms below, or an ``aiohttp.web.StreamResponse`` for full control.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import inspect
import io
import json
import secrets
import struct
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

Body = dict[str, Any]
Script = str | Body | Callable[[Body], Any]
"""A scripted answer: a str, a dict, or a (sync or async) callable of the request body."""

# The parsed body, read once by the middleware (which records it) for the handlers.
_BODY: web.RequestKey[Body | None] = web.RequestKey("fake_openai_body")
_ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_request_error",
                403: "invalid_request_error", 404: "invalid_request_error",
                409: "invalid_request_error", 429: "requests"}


@dataclass(frozen=True, slots=True)
class _Fault:
    status: int | None  # None: answer normally (after the delay)
    delay: float
    message: str | None
    retry_after: float | None


def error_body(status: int, message: str, *, code: str | None = None) -> Body:
    """An OpenAI-style error document."""
    return {"error": {"message": message, "type": _ERROR_TYPES.get(status, "server_error"),
                      "param": None, "code": code}}


def tool_call(name: str, arguments: dict[str, Any], *, call_id: str | None = None) -> Body:
    """A ``tool_calls`` entry for a scripted chat reply.

    Example:
        >>> fake.chat.append({"content": None,                 # doctest: +SKIP
        ...                   "tool_calls": [tool_call("project_create", {"name": "Web"})]})
    """
    return {"id": call_id or f"call_{secrets.token_hex(8)}", "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)}}


def fake_embedding(text: str, dimensions: int = 8) -> list[float]:
    """A deterministic unit vector for ``text``: same text, same vector; no model involved."""
    digest = b""
    counter = 0
    while len(digest) < 4 * dimensions:
        digest += hashlib.sha256(f"{counter}:{text}".encode()).digest()
        counter += 1
    values = [value / 2**31 - 1.0 for value in struct.unpack(f"<{dimensions}I",
                                                              digest[:4 * dimensions])]
    norm = sum(value * value for value in values) ** 0.5 or 1.0
    return [value / norm for value in values]


def _audio_seconds(data: bytes) -> float | None:
    """The duration of uploaded audio when PyAV is around to read it, else ``None``."""
    try:
        import av
    except ImportError:  # pragma: no cover - av comes with faster-whisper
        return None
    try:
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.audio[0]
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            if container.duration is not None:
                return container.duration / av.time_base
    except (av.FFmpegError, IndexError):
        pass
    return None


class FakeOpenAI:
    """An OpenAI-compatible server on ``127.0.0.1`` and a free port.

    Attributes:
        requests: Every request received, in order: the path and the parsed body (JSON, or the
            multipart form fields with the file described as ``{"filename", "size",
            "content_type"}``; ``None`` for requests without a body).
        uploads: ``(filename, bytes)`` of every uploaded file.
        transcriptions: Script for ``/v1/audio/transcriptions``. A dict is the response; a str
            the transcript text. Default: one segment over the whole upload (its duration read
            with PyAV, else 1 s) whose text names the file and its size. A callable gets the
            form fields; the file's bytes are ``uploads[-1]``.
        chat: Script for ``/v1/chat/completions``. A str is the assistant's content; a dict with
            ``choices`` is the whole response; any other dict is the assistant ``message``
            (e.g. ``{"content": None, "tool_calls": [tool_call(...)]}``). Default: echoes the
            last user message as ``"echo: ..."``.
        embeddings: ``text -> vector`` for ``/v1/embeddings``; default :func:`fake_embedding`
            (size ``dimensions`` from the request, else 8). ``encoding_format="base64"`` -- the
            client's default -- is honoured.
        api_key: When set, requests must send ``Authorization: Bearer <api_key>`` (else 401).
    """

    def __init__(self, *, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.requests: list[tuple[str, Body | None]] = []
        self.uploads: list[tuple[str, bytes]] = []
        self.transcriptions: list[Script] = []
        self.chat: list[Script] = []
        self.embeddings: Callable[[str, int], list[float]] = fake_embedding
        self.base_url = ""
        self._faults: deque[_Fault] = deque()
        self._runner: web.AppRunner | None = None

    # -- failures ------------------------------------------------------------------------

    def fail_next(self, status: int = 500, *, times: int = 1, message: str | None = None,
                  retry_after: float | None = 0.01, delay: float = 0.0) -> None:
        """Answer the next ``times`` requests (any path) with an error.

        Args:
            status: HTTP status, e.g. 429 or 500.
            times: How many requests fail.
            message: The error message; a generic one by default.
            retry_after: Seconds sent as ``retry-after-ms``, which the openai client obeys --
                the small default keeps retry tests fast. ``None`` sends no header (the client
                then backs off 0.5 s, 1 s, ...).
            delay: Seconds to wait before answering.
        """
        self._faults.extend([_Fault(status, delay, message, retry_after)] * times)

    def delay_next(self, seconds: float, *, times: int = 1) -> None:
        """Hold the next ``times`` requests for ``seconds`` before answering them normally."""
        self._faults.extend([_Fault(None, seconds, None, None)] * times)

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> str:
        """Start listening; returns the ``base_url`` to give the client (ends in ``/v1``)."""
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._middleware])
        app.router.add_post("/v1/audio/transcriptions", self._transcriptions)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_get("/v1/models", self._models)
        # A short shutdown: a request held by delay_next must not hold up stop().
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self.base_url

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeOpenAI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def paths(self) -> list[str]:
        """The paths of the requests received, in order."""
        return [path for path, _ in self.requests]

    # -- plumbing ------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request,
                          handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        body = await self._read_body(request)
        self.requests.append((request.path, body))
        request[_BODY] = body
        if self.api_key is not None and (request.headers.get("Authorization")
                                         != f"Bearer {self.api_key}"):
            return self._error(401, "Incorrect API key provided.", code="invalid_api_key")
        if self._faults:
            fault = self._faults.popleft()
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                headers = {} if fault.retry_after is None else {
                    "retry-after-ms": str(int(fault.retry_after * 1000))}
                message = fault.message or f"Injected failure {fault.status}."
                code = "rate_limit_exceeded" if fault.status == 429 else None
                return self._error(fault.status, message, code=code, headers=headers)
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return self._error(404, f"Unknown request URL: {request.method} {request.path}.",
                               code="unknown_url")
        except web.HTTPMethodNotAllowed:
            return self._error(405, f"Method {request.method} not allowed on {request.path}.")

    async def _read_body(self, request: web.Request) -> Body | None:
        if not request.can_read_body:
            return None
        if request.content_type.startswith("multipart/"):
            return await self._read_form(request)
        try:
            return await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {"_raw": await request.text()}

    async def _read_form(self, request: web.Request) -> Body:
        fields: Body = {}
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):  # nested multipart: not an OpenAI thing
                continue
            if part.filename is not None:
                data = bytes(await part.read())
                self.uploads.append((part.filename, data))
                fields[part.name or "file"] = {"filename": part.filename, "size": len(data),
                                               "content_type": part.headers.get("Content-Type")}
                continue
            value = await part.text()
            name = part.name or ""
            if name.endswith("[]"):  # how the client sends lists: one field per item
                fields.setdefault(name[:-2], []).append(value)
            else:
                fields[name] = value
        return fields

    @staticmethod
    def _error(status: int, message: str, *, code: str | None = None,
               headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response(error_body(status, message, code=code), status=status,
                                 headers={"x-request-id": f"req_{secrets.token_hex(8)}",
                                          **(headers or {})})

    @staticmethod
    async def _play(script: list[Script], body: Body) -> Any:
        entry = script.pop(0)
        if callable(entry):
            entry = entry(body)
            if inspect.isawaitable(entry):
                entry = await entry
        return entry

    # -- endpoints -----------------------------------------------------------------------

    async def _transcriptions(self, request: web.Request) -> web.StreamResponse:
        body: Body = request[_BODY] or {}
        upload = body.get("file")
        if not isinstance(upload, dict) or not body.get("model"):
            return self._error(400, "'file' and 'model' are required.")
        data = self.uploads[-1][1]
        answer = await self._play(self.transcriptions, body) if self.transcriptions else None
        if isinstance(answer, web.StreamResponse):
            return answer
        if isinstance(answer, dict):
            return web.json_response(answer)
        seconds = _audio_seconds(data) or 1.0
        text = answer if isinstance(answer, str) else (
            f"Received {upload['filename']} ({upload['size']} bytes).")
        response_format = body.get("response_format", "json")
        if response_format in ("text", "srt", "vtt"):
            return web.Response(text=text, content_type="text/plain")
        if response_format != "verbose_json":
            return web.json_response({"text": text, "usage": {"type": "duration",
                                                              "seconds": round(seconds)}})
        return web.json_response({
            "task": "transcribe", "language": body.get("language", "english"),
            "duration": seconds, "text": text,
            "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": seconds, "text": text,
                          "tokens": [], "temperature": 0.0, "avg_logprob": -0.2,
                          "compression_ratio": 1.0, "no_speech_prob": 0.01}],
            "usage": {"type": "duration", "seconds": round(seconds)},
        })

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body: Body = request[_BODY] or {}
        if body.get("stream"):
            return self._error(400, "The fake server does not stream; use stream=False.")
        if self.chat:
            answer = await self._play(self.chat, body)
        else:
            last = next((message for message in reversed(body.get("messages") or [])
                         if message.get("role") == "user"), {})
            content = last.get("content")
            if isinstance(content, list):  # content parts
                content = " ".join(part.get("text", "") for part in content)
            answer = f"echo: {content or ''}"
        if isinstance(answer, web.StreamResponse):
            return answer
        if isinstance(answer, dict) and "choices" in answer:
            return web.json_response(answer)
        if isinstance(answer, str):
            message = {"role": "assistant", "content": answer, "refusal": None}
        else:
            message = {"role": "assistant", "refusal": None, **answer}
        if message.get("tool_calls"):
            message.setdefault("content", None)
        prompt = len(json.dumps(body.get("messages", []))) // 4
        completion = len(json.dumps(message)) // 4
        return web.json_response({
            "id": f"chatcmpl-{secrets.token_hex(12)}", "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model", "gpt-fake"),
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if message.get("tool_calls")
                         else "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        })

    async def _embeddings(self, request: web.Request) -> web.StreamResponse:
        body: Body = request[_BODY] or {}
        texts = body.get("input")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
            return self._error(400, "'input' must be a string or a list of strings.")
        dimensions = int(body.get("dimensions") or 8)
        data = []
        for index, text in enumerate(texts):
            vector = self.embeddings(text, dimensions)
            encoded: Any = vector
            if body.get("encoding_format") == "base64":
                encoded = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(len(text.split()) for text in texts)
        return web.json_response({"object": "list", "data": data,
                                  "model": body.get("model", "text-embedding-fake"),
                                  "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    async def _models(self, request: web.Request) -> web.StreamResponse:
        names = ["whisper-1", "gpt-4o-mini", "text-embedding-3-small"]
        return web.json_response({"object": "list", "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "fake"} for name in names]})
