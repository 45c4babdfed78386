"""fal's key API (real base URL https://api.fal.ai/v1; here /fal/v1).

Credentials (header `Authorization: Key <key_id>:<key_secret>`):
  sim_fal_admin:sim-fal-admin-secret   admin scope: may manage keys
  sim_fal_user:sim-fal-user-secret     API scope: 403 authorization_error on key routes
Anything else, a missing header or another scheme (Bearer) gets 401.

Routes:
  GET    /keys?limit&cursor&expand=creator_info   list, newest first
  POST   /keys {"alias": 1..255 chars}             201 {key_id, key_secret, key}
  DELETE /keys/{key_id}                            204, also for unknown ids
Errors: {"error": {"type", "message", "docs_url", "request_id"}}.

Choices where fal documents nothing:
  * `limit` defaults to 20 and is capped at 100 (the real maximum is
    undocumented: "depends on query type and expansion"); a value that is not
    an integer >= 1 is a 400 validation_error.
  * The cursor is what fal really sends: base64 of the page number as a decimal
    string ("Mg==" = page 2); page p holds items [(p-1)*limit, p*limit). So a
    cursor resumes exactly where the previous page ended only if `limit` stays
    the same, as with the real API. Anything undecodable, or a page < 1, is a
    400 validation_error.
  * Created keys are listed first (the list is newest first).
  * Unknown `expand` values are ignored.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets

import data
from common import BadJSON, Request, Response, json_response, no_content, now_iso, iso, parse_int, reason

NAME = "fal"
PREFIX = "/fal/v1"
ADMIN_KEY = "sim_fal_admin:sim-fal-admin-secret"
USER_KEY = "sim_fal_user:sim-fal-user-secret"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
DOCS_URL = "https://docs.fal.ai/platform-apis/v1/keys"

_TYPES = {400: "validation_error", 401: "authorization_error", 403: "authorization_error",
          404: "not_found", 405: "not_found", 429: "rate_limited", 501: "not_implemented"}


def encode_cursor(page: int) -> str:
    return base64.b64encode(str(page).encode()).decode()


def decode_cursor(cursor: str) -> int | None:
    try:
        text = base64.b64decode(cursor + "=" * (-len(cursor) % 4), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    page = parse_int(text) if text.isdigit() else None
    return page if page is not None and page >= 1 else None


class Fal(data.SeededProvider):
    name = NAME
    prefix = PREFIX

    def make_id(self, i: int, salt: str) -> str:
        return data.digest(self.seed, NAME, i, salt)[:16]

    def _build(self, i: int) -> dict:
        r = data.rng(self.seed, NAME, i)
        created = data.created_epoch(r, i, self.count)
        person = data.PEOPLE[r.randrange(len(data.PEOPLE))]
        return {"key_id": self._ids[i], "alias": data.key_name(r, i), "scope": "API",
                "created_at": iso(created), "creator_nickname": person[1], "creator_email": person[2]}

    # -- errors ---------------------------------------------------------------

    def error(self, req: Request, status: int, message: str | None = None,
              headers: list[tuple[str, str]] | None = None) -> Response:
        kind = _TYPES.get(status, "server_error" if status >= 500 else "validation_error")
        body = {"type": kind, "message": message or _default_message(status),
                "docs_url": DOCS_URL, "request_id": req.request_id}
        return json_response(status, {"error": body}, headers)

    # -- routing --------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        auth = req.header("Authorization") or ""
        scheme, _, credential = auth.partition(" ")
        if scheme != "Key" or credential.strip() not in (ADMIN_KEY, USER_KEY):
            return self.error(req, 401, "Authentication required")
        if credential.strip() != ADMIN_KEY:
            return self.error(req, 403, "Access denied: an admin API key is required to manage keys")

        if req.path == "/keys":
            if req.method == "GET":
                return self._list(req)
            if req.method == "POST":
                return self._create(req)
            return self.error(req, 405, "Method not allowed", [("Allow", "GET, POST")])
        match = re.fullmatch(r"/keys/([^/]+)", req.path)
        if match:
            if req.method == "DELETE":
                self.store.remove(match.group(1))
                return no_content()
            return self.error(req, 405, "Method not allowed", [("Allow", "DELETE")])
        return self.error(req, 404, "Not found")

    # -- handlers -------------------------------------------------------------

    def _list(self, req: Request) -> Response:
        raw_limit = req.param("limit")
        limit = DEFAULT_LIMIT if raw_limit is None else parse_int(raw_limit)
        if limit is None or limit < 1:
            return self.error(req, 400, "limit must be an integer greater than or equal to 1")
        limit = min(limit, MAX_LIMIT)
        cursor = req.param("cursor")
        page = 1
        if cursor is not None:
            decoded = decode_cursor(cursor)
            if decoded is None:
                return self.error(req, 400, "Invalid cursor")
            page = decoded
        expand = {v for value in req.query.get("expand", []) for v in value.split(",")}

        start = (page - 1) * limit
        keys = self.store.page(start, start + limit)
        if "creator_info" not in expand:
            for key in keys:
                key.pop("creator_nickname", None)
                key.pop("creator_email", None)
        has_more = start + limit < len(self.store)
        next_cursor = encode_cursor(page + 1) if has_more else None
        if req.stuck_cursor:  # fault: the position never advances
            next_cursor, has_more = cursor or encode_cursor(1), True
        if req.empty_page:  # fault: nothing here, "more" on the next page, forever
            keys, next_cursor, has_more = [], encode_cursor(page + 1), True
        return json_response(200, {"keys": keys, "next_cursor": next_cursor, "has_more": has_more})

    def _create(self, req: Request) -> Response:
        try:
            body = req.json_object()
        except BadJSON as exc:
            return self.error(req, 400, str(exc))
        alias = body.get("alias")
        if not isinstance(alias, str) or not 1 <= len(alias) <= 255:
            return self.error(req, 400, "alias is required and must be 1 to 255 characters")
        key_id = secrets.token_hex(8)
        while self.store.find(key_id) is not None:
            key_id = secrets.token_hex(8)
        key_secret = secrets.token_hex(32)
        admin = data.PEOPLE[0]
        self.store.add_first(key_id, {"key_id": key_id, "alias": alias, "scope": "API",
                                      "created_at": now_iso(), "creator_nickname": admin[1],
                                      "creator_email": admin[2]})
        return json_response(201, {"key_id": key_id, "key_secret": key_secret,
                                   "key": f"{key_id}:{key_secret}"})


def _default_message(status: int) -> str:
    return {400: "Invalid request parameters", 401: "Authentication required", 403: "Access denied",
            404: "Not found", 429: "Rate limit exceeded", 500: "An unexpected error occurred",
            501: "Not implemented"}.get(status) or reason(status)
