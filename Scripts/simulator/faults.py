"""Fault rules: make chosen provider requests fail the ways real networks and servers do.

A rule (POST /_sim/faults body, or --fault on the command line):
  {"provider": "fal"|"px0"|"cartesia"|"openrouter"|"*",
   "method": "GET",        optional, any method when absent
   "path": "/keys",        optional substring of the path after the provider prefix
   "after": 0,             matching requests to let through first
   "times": 1,             how many requests it then hits; -1 = forever
   "kind": ...}
Kinds:
  status        "status": N, optional "message", "retry_after" (-> Retry-After),
                "retry_after_ms" (-> retry-after-ms): that status with the
                provider's own error body
  delay         "delay_ms": N, then the normal answer
  malformed     200, Content-Type application/json, a body that is not JSON
  truncated     the normal answer sent as 200 with a Content-Length larger than
                the bytes sent, then the connection is closed
  html          502 text/html, like a load balancer's error page
  drop          the connection is closed without any response
  stuck_cursor  a list page whose next position never advances (fal: next_cursor
                = the cursor sent, or "MQ==" (page 1) on the first page; Cartesia:
                the page that ended at starting_after again, has_more true;
                OpenRouter: a full page of 100 identical to the previous page;
                px0 has no paging and answers normally)
  empty_pages   a list page with no keys that says more follow, with a fresh position each
                time (fal: keys [], has_more true, next_cursor = the next page's cursor;
                Cartesia: data [], has_more true; px0 and OpenRouter, whose protocols
                cannot say "more" on an empty page, answer normally)
  echo_auth     the request's Authorization value echoed back: by default a 500 whose
                error message holds it; "where" picks a header, the body's request id,
                a text body straddling the excerpt cut, a Location, the Content-Type, a
                key's name or the next position instead (hostile.py)
  invalid_json, control_secret, evil_names, bad_dates
                hostile answers: JSON only lenient decoders accept, a created secret
                holding control characters, key names that drive a terminal, dates
                outside 0001-9999 (hostile.py says how each is made)
  redirect      "location": an absolute http(s) URL, optional "status" 301, 302 (default),
                307 or 308, optional "keep_query": true to append the request's query
                string to the location; an empty body with that Location header. Point
                it at another simulator to see whether a client follows it (the target's
                log), or at this one under another path for a same-origin move
  huge          JSON with "Content-Length": "size" (default 2 GiB) and that many bytes of
                blanks, sent as fast as the client reads
  endless       JSON, Transfer-Encoding: chunked, 64 KiB chunks of blanks that never end
  trickle       the normal answer, its headers at once and then its body one byte every
                "interval_ms" (default 1000)
  gzip_bomb     JSON, Content-Encoding: gzip: "size" bytes of zeros (default 4 GiB,
                rounded up to whole MiB) in about size/1000 bytes on the wire; a valid
                gzip stream a client that reads to the end can check
                huge, endless and gzip_bomb answer "status" (default 200; a 3xx has no
                Location, so a client cannot follow it and must read or drop the body)
The body kinds stop quietly when the client hangs up; each is logged (status 200)
before its body is sent.
Rules are checked in the order added. Each counts the matching requests it sees;
the first one past its `after` with `times` left answers the request (and uses
up one of its times) and no later rule sees that request. Unknown fields are
refused, so a typo does not silently give a rule that never fires.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

import hostile
from common import Request, Response

PROVIDERS = ("fal", "px0", "cartesia", "openrouter", "*")
KINDS = ("status", "delay", "malformed", "truncated", "html", "drop", "stuck_cursor", "echo_auth",
         "redirect", "empty_pages", "huge", "endless", "trickle", "gzip_bomb") + hostile.KINDS
# Kinds whose body the server streams itself (server.Handler._send_streamed).
STREAMED = ("huge", "endless", "trickle", "gzip_bomb")
# Kinds whose answer is the provider's own, changed afterwards (hostile.transform).
TRANSFORMS = ("echo_auth",) + hostile.KINDS
_FIELDS = {"provider", "method", "path", "after", "times", "kind", "status", "message",
           "retry_after", "retry_after_ms", "delay_ms", "location", "keep_query", "size",
           "interval_ms", "where", "variant", "escaped", "offset"}
DEFAULT_SIZES = {"huge": 2 << 30, "gzip_bomb": 4 << 30}
REDIRECT_STATUSES = (301, 302, 307, 308)

MALFORMED_BODY = b'{"data": [{"id": "sim-malformed", "name": "unterminated'
HTML_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
            b"</body>\r\n</html>\r\n")


class FaultError(ValueError):
    """A fault rule that cannot be used; the message says why."""


@dataclass
class Rule:
    id: int
    provider: str
    kind: str
    method: str | None = None
    path: str | None = None
    after: int = 0
    times: int = 1
    status: int | None = None
    message: str | None = None
    retry_after: str | None = None
    retry_after_ms: str | None = None
    delay_ms: int = 0
    location: str | None = None
    keep_query: bool = False
    size: int = 0  # huge, gzip_bomb: body bytes (inflated, for the bomb)
    interval_ms: int = 1000  # trickle: pause between bytes
    where: str | None = None  # echo_auth: where the credential is echoed
    variant: str | None = None  # invalid_json / control_secret: which breakage
    escaped: bool = False  # evil_names: \uXXXX escapes instead of raw UTF-8
    offset: int | None = None  # echo_auth excerpt_cut: where the credential starts
    seen: int = 0  # matching requests counted so far
    fired: int = 0  # requests this rule answered

    def matches(self, provider: str, method: str, path: str) -> bool:
        return (self.provider in ("*", provider) and (self.method is None or self.method == method)
                and (self.path is None or self.path in path))

    def used_up(self) -> bool:
        return self.times != -1 and self.fired >= self.times


def _int(spec: dict, name: str, default: int, minimum: int) -> int:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise FaultError(f"{name} must be an integer >= {minimum}")
    return value


def parse_rule(spec, rule_id: int) -> Rule:
    if not isinstance(spec, dict):
        raise FaultError("a fault must be a JSON object")
    unknown = set(spec) - _FIELDS
    if unknown:
        raise FaultError(f"unknown field(s): {', '.join(sorted(unknown))}")
    if spec.get("provider") not in PROVIDERS:
        raise FaultError(f"provider must be one of {', '.join(PROVIDERS)}")
    if spec.get("kind") not in KINDS:
        raise FaultError(f"kind must be one of {', '.join(KINDS)}")
    for name in ("method", "path", "message"):
        if spec.get(name) is not None and not isinstance(spec[name], str):
            raise FaultError(f"{name} must be a string")
    times = spec.get("times", 1)
    if times != -1:
        times = _int(spec, "times", 1, 1)
    rule = Rule(id=rule_id, provider=spec["provider"], kind=spec["kind"],
                method=spec["method"].upper() if spec.get("method") else None, path=spec.get("path") or None,
                after=_int(spec, "after", 0, 0), times=times, message=spec.get("message"))
    if rule.kind == "status":
        if "status" not in spec:
            raise FaultError('kind "status" needs "status"')
        rule.status = _int(spec, "status", 0, 200)
        if rule.status > 599:
            raise FaultError("status must be 200..599")
        for name in ("retry_after", "retry_after_ms"):
            value = spec.get(name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                    raise FaultError(f"{name} must be a string or a number")
                setattr(rule, name, str(value))
    if rule.kind == "delay":
        if "delay_ms" not in spec:
            raise FaultError('kind "delay" needs "delay_ms"')
        rule.delay_ms = _int(spec, "delay_ms", 0, 0)
    try:
        hostile.check(rule, spec)
    except hostile.RuleError as exc:
        raise FaultError(str(exc)) from exc
    if rule.kind == "redirect":
        location = spec.get("location")
        if not isinstance(location, str):
            raise FaultError('kind "redirect" needs "location", an absolute URL')
        parts = urlsplit(location)
        if (parts.scheme not in ("http", "https") or not parts.netloc or not location.isascii()
                or any(c in location for c in "\r\n")):
            raise FaultError("location must be an absolute http:// or https:// URL (ASCII, one line)")
        rule.location = location
        status = spec.get("status", 302)
        if isinstance(status, bool) or status not in REDIRECT_STATUSES:
            raise FaultError(f"a redirect's status must be one of {', '.join(map(str, REDIRECT_STATUSES))}")
        rule.status = int(status)
        keep_query = spec.get("keep_query", False)
        if not isinstance(keep_query, bool):
            raise FaultError("keep_query must be true or false")
        rule.keep_query = keep_query
    else:
        for name in ("location", "keep_query"):
            if name in spec:
                raise FaultError(f'{name} applies only to kind "redirect"')
    if rule.kind in ("huge", "endless", "gzip_bomb"):
        rule.status = _int(spec, "status", 200, 200)
        if rule.status > 599:
            raise FaultError("status must be 200..599")
    if rule.kind in DEFAULT_SIZES:
        rule.size = _int(spec, "size", DEFAULT_SIZES[rule.kind], 1)
    elif "size" in spec:
        raise FaultError('size applies only to kinds "huge" and "gzip_bomb"')
    if rule.kind == "trickle":
        rule.interval_ms = _int(spec, "interval_ms", 1000, 1)
    elif "interval_ms" in spec:
        raise FaultError('interval_ms applies only to kind "trickle"')
    return rule


class Faults:
    """The rules in the order added. Not thread-safe: the server holds its lock."""

    def __init__(self):
        self._rules: list[Rule] = []
        self._next_id = 1

    def add(self, spec) -> Rule:
        rule = parse_rule(spec, self._next_id)
        self._next_id += 1
        self._rules.append(rule)
        return rule

    def clear(self) -> None:
        self._rules.clear()

    def describe(self) -> list[dict]:
        return [asdict(rule) for rule in self._rules]

    def match(self, provider: str, method: str, path: str) -> Rule | None:
        """The rule that answers this request, if any (and counts the request)."""
        for rule in self._rules:
            if rule.used_up() or not rule.matches(provider, method, path):
                continue
            rule.seen += 1
            if rule.seen > rule.after:
                rule.fired += 1
                return rule
        return None


def transform_response(rule: Rule, provider, req: Request, response: Response) -> Response:
    """The provider's own answer changed the way a hostile rule says (see hostile.py)."""
    return hostile.transform(rule, provider, req, response) if rule.kind in TRANSFORMS else response


def canned_response(rule: Rule, provider, req: Request) -> Response | None:
    """The answer of a rule that replaces the provider's one, or None when the provider must answer."""
    if rule.kind == "status":
        response = provider.error(req, rule.status, rule.message)
        if rule.retry_after is not None:
            response.headers.append(("Retry-After", rule.retry_after))
        if rule.retry_after_ms is not None:
            response.headers.append(("retry-after-ms", rule.retry_after_ms))
        return response
    if rule.kind == "echo_auth":
        return hostile.canned(rule, provider, req)
    if rule.kind == "redirect":
        location = rule.location or ""
        if rule.keep_query and req.raw_query:
            location += ("&" if "?" in location else "?") + req.raw_query
        return Response(rule.status or 302, b"", None, [("Location", location)])
    if rule.kind == "malformed":
        return Response(200, MALFORMED_BODY, "application/json")
    if rule.kind == "html":
        return Response(502, HTML_502, "text/html")
    return None


ZERO_MIB = b"\0" * (1 << 20)


def _deflated_zero_mib() -> tuple[bytes, bytes]:
    """One MiB of zeros as raw deflate ending in a full flush, and the stream's end.

    After a full flush the compressor starts afresh, so the same bytes decode
    to another MiB of zeros wherever they are repeated: a bomb of any size is
    this block N times, without compressing N MiB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(ZERO_MIB) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block, compressor.flush(zlib.Z_FINISH)


GZIP_BLOCK, GZIP_END = _deflated_zero_mib()
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no mtime, OS unknown


def gzip_bomb(size: int):
    """(Content-Length, an iterator of the body's pieces) for `size` bytes of zeros, gzipped.

    The CRC of the trailer is computed as the blocks go out, so nothing is paid
    up front for a body a client will (rightly) never finish."""
    mebibytes = -(-size // (1 << 20))
    length = len(GZIP_HEADER) + mebibytes * len(GZIP_BLOCK) + len(GZIP_END) + 8

    def pieces():
        yield GZIP_HEADER
        crc = 0
        for _ in range(mebibytes):
            crc = zlib.crc32(ZERO_MIB, crc)
            yield GZIP_BLOCK
        yield GZIP_END + struct.pack("<II", crc, (mebibytes << 20) & 0xFFFFFFFF)

    return length, pieces()
