"""Hostile answers: a server that echoes the credential, breaks JSON in ways lenient
decoders forgive, hands out secrets that would drive a terminal, and names keys
with characters that move or restyle one.

Kinds (see faults.py for the common fields):
  echo_auth       the request's Authorization value echoed back; "where":
                    "message"      (default) a 500 whose error message holds it
                    "header"       a 500 with it as the X-Request-Id header
                    "request_id"   a 500 whose error body's request_id holds it (fal and
                                   Cartesia read that field; px0 and OpenRouter get it as a
                                   top-level "request_id" they do not document)
                    "excerpt_cut"  a 500 text/plain body with it starting at byte "offset"
                                   (default: straddling byte 160, where excerpts are cut)
                    "location"     a 302 to another origin whose Location holds it
                    "content_type" the normal answer with it inside the Content-Type
                                   (text/html; echo=...), so the client cannot read it
                    "name"         the normal list page with it inside the first key's name
                    "next_cursor"  the normal list page with it inside the next position
                                   (fal next_cursor, Cartesia: the last key's id; px0 and
                                   OpenRouter have no server position and answer normally)
                  "status" overrides the status of message/header/request_id/excerpt_cut.
  invalid_json    the normal answer made invalid JSON that lenient decoders accept;
                  "variant": trailing_comma (default), bad_escape, invalid_utf8,
                  lone_surrogate, leading_zero, nan, control_char. On a list page the
                  fault sits in the first key (its name, or a member "sim_number"); on any
                  other answer (a create) at the top level.
  control_secret  a create answer (the key IS created) whose secret holds "variant":
                  escape (default: ESC [31m), newline, c1 (U+009B), bidi (U+202E),
                  zero_width (U+200B), space, nul, long (5,000 characters), empty
  evil_names      the normal list page with every key's name replaced by one holding C0,
                  DEL, C1, bidi, zero-width, U+2028/U+2029 or tag characters; "escaped":
                  true sends them as \\uXXXX escapes instead of raw UTF-8
  bad_dates       the normal list page with every key's created_at replaced by a date
                  outside 0001-9999 or no date at all; on a create answer that has a
                  created_at (px0, OpenRouter), that one set to 99999-01-01T00:00:00Z
"""

from __future__ import annotations

import json
from urllib.parse import quote

from common import Request, Response

ECHO_WHERE = ("message", "header", "request_id", "excerpt_cut", "location", "content_type",
              "name", "next_cursor")
INVALID_VARIANTS = ("trailing_comma", "bad_escape", "invalid_utf8", "lone_surrogate", "leading_zero",
                    "nan", "control_char")
SECRET_VARIANTS = ("escape", "newline", "c1", "bidi", "zero_width", "space", "nul", "long", "empty")
KINDS = ("invalid_json", "control_secret", "evil_names", "bad_dates")

# Each provider's list array and the name and date members of its keys.
LIST_ARRAY = {"fal": "keys", "px0": "api_keys", "cartesia": "data", "openrouter": "data"}
NAME_FIELD = {"fal": "alias", "px0": "name", "cartesia": "description", "openrouter": "name"}
# Where a create answer keeps the secret: (container or None, member).
SECRET_FIELDS = {"fal": [(None, "key_secret")], "px0": [(None, "key")], "openrouter": [(None, "key")]}

EVIL_NAMES = [
    "\x1b[31mred\x1b[0m alert", "bell\x07ring\x08\x08", "del\x7fete", "c1\x9b2Jcsi\x85next",
    "\u202egnp.exe", "iso\u2066late\u2069d", "lrm\u200emark\u200f\u061c", "zero\u200bwidth\u200d\u2060\ufeff",
    "line\u2028sep\u2029para", "tag\U000e0041\U000e007f", "cr\rover\nwrite",
]
BAD_DATES = ["99999-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00",
             "not a date", "2025-13-45T99:99:99Z", "+012345-01-01T00:00:00Z"]
SECRET_INSERTS = {"escape": "\x1b[31m", "newline": "\n", "c1": "\x9b", "bidi": "\u202e",
                  "zero_width": "\u200b", "space": " ", "nul": "\x00"}


class RuleError(ValueError):
    """A hostile rule that cannot be used (the message says why)."""


def check(rule, spec: dict) -> None:
    """Validates and stores the hostile fields of a rule (called from faults.parse_rule)."""
    for name in ("where", "variant", "escaped", "offset"):
        if name not in spec:
            continue
        allowed = {"where": ("echo_auth",), "variant": ("invalid_json", "control_secret"),
                   "escaped": ("evil_names",), "offset": ("echo_auth",)}[name]
        if rule.kind not in allowed:
            raise RuleError(f'{name} applies only to kind {" or ".join(allowed)}')
    if rule.kind == "echo_auth":
        rule.where = spec.get("where", "message")
        if rule.where not in ECHO_WHERE:
            raise RuleError(f"where must be one of {', '.join(ECHO_WHERE)}")
        offset = spec.get("offset")
        if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int) or offset < 0):
            raise RuleError("offset must be an integer >= 0")
        rule.offset = offset
        status = spec.get("status")
        if status is not None:
            if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
                raise RuleError("status must be 200..599")
            rule.status = status
    if rule.kind in ("invalid_json", "control_secret"):
        variants = INVALID_VARIANTS if rule.kind == "invalid_json" else SECRET_VARIANTS
        rule.variant = spec.get("variant", variants[0])
        if rule.variant not in variants:
            raise RuleError(f"variant must be one of {', '.join(variants)}")
    if rule.kind == "evil_names":
        escaped = spec.get("escaped", False)
        if not isinstance(escaped, bool):
            raise RuleError("escaped must be true or false")
        rule.escaped = escaped


def _auth(req: Request) -> str:
    return req.header("Authorization") or "(none)"


def canned(rule, provider, req: Request) -> Response | None:
    """The echo_auth answers that replace the provider's; None when the provider answers first."""
    if rule.kind != "echo_auth":
        return None
    auth = _auth(req)
    where = rule.where
    status = rule.status or 500
    if where == "message":
        return provider.error(req, status, f"Internal error while validating credentials: {auth}")
    if where == "header":
        return provider.error(req, status, "Internal error", [("X-Request-Id", auth)])
    if where == "request_id":
        response = provider.error(req, status, "Internal error")
        body = json.loads(response.body)
        if provider.name == "fal":
            body["error"]["request_id"] = auth
        else:
            body["request_id"] = auth
        response.body = json.dumps(body, separators=(",", ":")).encode()
        return response
    if where == "excerpt_cut":
        start = rule.offset if rule.offset is not None else max(0, 160 - len(auth) // 2)
        text = ("upstream said: " + "x" * 200)[:start].ljust(start, "x") + auth + " while validating the request"
        return Response(status, text.encode(), "text/plain; charset=utf-8")
    if where == "location":
        return Response(302, b"", None, [("Location", "http://127.0.0.1:9/echo?auth=" + quote(auth, safe=":"))])
    return None


def transform(rule, provider, req: Request, response: Response) -> Response:
    """The provider's own answer, made hostile the way `rule` says."""
    kind = rule.kind
    name = provider.name
    if kind == "echo_auth":
        if rule.where == "content_type":
            response.content_type = "text/html; echo=" + _auth(req)
            return response
        if rule.where == "name":
            return _edit_keys(response, name, lambda i, key: key.update(
                {NAME_FIELD[name]: f"key of {_auth(req)}"}) if i == 0 else None)
        if rule.where == "next_cursor":
            return _echo_position(response, name, _auth(req))
        return response
    if kind == "invalid_json":
        return _invalid(response, name, rule.variant)
    if kind == "control_secret":
        return _bad_secret(response, name, rule.variant)
    if kind == "evil_names":
        return _edit_keys(response, name, lambda i, key: key.update(
            {NAME_FIELD[name]: EVIL_NAMES[i % len(EVIL_NAMES)]}), ensure_ascii=rule.escaped)
    if kind == "bad_dates":
        body = _json(response)
        if isinstance(body, dict) and not isinstance(body.get(LIST_ARRAY[name]), list):  # a create
            target = body.get("data") if isinstance(body.get("data"), dict) else body
            if "created_at" in target:
                target["created_at"] = BAD_DATES[0]
                response.body = _dump(body)
            return response
        return _edit_keys(response, name, lambda i, key: key.update(
            {"created_at": BAD_DATES[i % len(BAD_DATES)]}))
    return response


def _json(response: Response):
    if response.status >= 300 or not response.body:
        return None
    try:
        return json.loads(response.body)
    except ValueError:
        return None


def _dump(value, ensure_ascii: bool = False) -> bytes:
    return json.dumps(value, ensure_ascii=ensure_ascii, separators=(",", ":")).encode("utf-8")


def _edit_keys(response: Response, provider: str, edit, ensure_ascii: bool = False) -> Response:
    """Applies edit(index, key) to every key of a list page (other answers pass unchanged)."""
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get(LIST_ARRAY[provider]), list):
        return response
    for index, key in enumerate(body[LIST_ARRAY[provider]]):
        edit(index, key)
    response.body = _dump(body, ensure_ascii)
    return response


def _echo_position(response: Response, provider: str, auth: str) -> Response:
    body = _json(response)
    if not isinstance(body, dict):
        return response
    if provider == "fal":
        body["next_cursor"], body["has_more"] = "Mg==" + auth, True
    elif provider == "cartesia" and body.get("data"):
        body["data"][-1]["id"] = "key_" + auth
        body["has_more"] = True
    response.body = _dump(body)
    return response


def _invalid(response: Response, provider: str, variant: str) -> Response:
    body = response.body
    if response.status >= 300 or not body.startswith(b"{"):
        return response
    array = f'"{LIST_ARRAY[provider]}":[{{'.encode()
    name = f'"{NAME_FIELD[provider]}":"'.encode()
    at_key = body.find(array)
    in_name = body.find(name, at_key) if at_key >= 0 else -1
    if variant == "trailing_comma":
        end = body.rfind(b"}]")
        if at_key >= 0 and end >= 0:
            return _with(response, body[:end + 1] + b"," + body[end + 1:])
        return _with(response, body[:-1] + b",}")
    inserts = {"bad_escape": b"\\x41\\'", "invalid_utf8": b"\xff\xfe", "lone_surrogate": b"\\ud800",
               "control_char": b"\x1b[31m"}
    if variant in inserts:
        if in_name >= 0:
            point = in_name + len(name)
            return _with(response, body[:point] + inserts[variant] + body[point:])
        return _with(response, b'{"sim_text":"' + inserts[variant] + b'",' + body[1:])
    number = b"01" if variant == "leading_zero" else b"NaN"
    if at_key >= 0:
        point = at_key + len(array)
        return _with(response, body[:point] + b'"sim_number":' + number + b"," + body[point:])
    return _with(response, b'{"sim_number":' + number + b"," + body[1:])


def _with(response: Response, body: bytes) -> Response:
    response.body = body
    return response


def _bad_secret(response: Response, provider: str, variant: str) -> Response:
    body = _json(response)
    if not isinstance(body, dict) or provider not in SECRET_FIELDS:
        return response
    for container, member in SECRET_FIELDS[provider]:
        target = body[container] if container else body
        secret = target.get(member)
        if not isinstance(secret, str):
            continue
        if variant == "long":
            bad = secret + "k" * 5000
        elif variant == "empty":
            bad = ""
        else:
            middle = len(secret) // 2
            bad = secret[:middle] + SECRET_INSERTS[variant] + secret[middle:]
        target[member] = bad
    if provider == "fal" and isinstance(body.get("key_secret"), str):
        body["key"] = f"{body['key_id']}:{body['key_secret']}"
    response.body = _dump(body)
    return response
