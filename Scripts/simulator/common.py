"""HTTP value types shared by the server and the provider modules.

The provider modules never touch sockets: they get a `Request` (already split
into the path after the provider prefix, the query and the body) and return a
`Response`. That keeps each provider a plain function of its state, easy to read
next to PROVIDERS.md, and lets the server own keep-alive, faults and logging.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class BadJSON(ValueError):
    """The request body is not the JSON the route expects."""


@dataclass
class Request:
    method: str
    path: str  # after the provider prefix, e.g. "/keys/abc"
    query: dict[str, list[str]]
    headers: Any  # http.client.HTTPMessage: case-insensitive .get()
    body: bytes
    request_id: str = ""
    raw_query: str = ""  # the query string exactly as sent (the redirect fault's keep_query)
    raw_path: str = ""  # `path` as sent, percent-encoding kept (how a client encoded an id)
    stuck_cursor: bool = False  # set by the stuck_cursor fault
    empty_page: bool = False  # set by the empty_pages fault

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def param(self, name: str) -> str | None:
        """The first value of a query parameter, or None when absent."""
        values = self.query.get(name)
        return values[0] if values else None

    def json_object(self) -> dict:
        """The body as a JSON object; raises BadJSON otherwise."""
        try:
            value = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadJSON("request body is not valid JSON") from exc
        if not isinstance(value, dict):
            raise BadJSON("request body must be a JSON object")
        return value


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, like the real APIs send (non-ASCII left as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(status: int, value: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, dumps(value), "application/json", list(headers or []))


def no_content() -> Response:
    return Response(204)


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def parse_int(value: str | None) -> int | None:
    """A strict decimal integer ("12", "-3"); None for anything else."""
    if value is None or not re.fullmatch(r"[+-]?\d+", value.strip()):
        return None
    return int(value)


def iso(epoch: int | float) -> str:
    """ISO-8601 UTC with whole seconds, e.g. 2025-01-15T12:00:00Z."""
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(datetime.now(tz=timezone.utc).timestamp())


def reason(status: int) -> str:
    """The standard reason phrase, e.g. 429 -> "Too Many Requests"."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"
