"""Cartesia's key API (real base URL https://api.cartesia.ai; here /cartesia).

Every request must carry `Cartesia-Version: 2026-03-01`; without it (or with
another value) the answer is 400, checked before the credentials.
Credentials (header `Authorization: Bearer <key>`):
  sk_car_admin_sim   admin key: may list keys
  sk_car_sim         standard key: 403
Anything else or no header: 401.

Routes (read-only: Cartesia has no create, update or delete; other methods on
these paths get 405 with `Allow: GET`):
  GET /api-keys?limit&starting_after&ending_before&q   {"data": [...], "has_more": bool}, newest first
  GET /api-keys/{id}                                   ApiKey, or 404
Errors: {"error_code": str|null, "title", "message", "request_id", "doc_url"};
error_code is null for 5xx.

Paging: `limit` defaults to 20 and is silently capped at 100; a `limit` that is
not an integer >= 1 is a 400 (an empty value counts as absent). `starting_after`
gives the keys after that id; `ending_before` gives the `limit` keys just
before it, still newest first, and `has_more` then says whether there are more
keys before those. Both together: 400. An id that does not
exist in either: 400 (chosen; Cartesia does not document it). `q` is a
case-insensitive substring match over description, creator name and creator
email; the cursor id is located in the whole list, so it may itself not match.
The oldest tenth of the seeded keys has no recorded creator (all creator
fields null); creators no longer in the org have a null image URL.
"""

from __future__ import annotations

import re

import data
from common import Request, Response, iso, json_response, parse_int, reason

NAME = "cartesia"
PREFIX = "/cartesia"
VERSION = "2026-03-01"
ADMIN_KEY = "sk_car_admin_sim"
STANDARD_KEY = "sk_car_sim"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
DOC_URL = "https://docs.cartesia.ai/api-reference/api-keys/list"

_CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 429: "rate_limited"}


class Cartesia(data.SeededProvider):
    name = NAME
    prefix = PREFIX

    def make_id(self, i: int, salt: str) -> str:
        return "key_" + data.digest(self.seed, NAME, i, salt)[:24]

    def _build(self, i: int) -> dict:
        """The ApiKey plus the creator's name under "_creator_name" (searched by `q`, never sent)."""
        r = data.rng(self.seed, NAME, i)
        key = {"id": self._ids[i], "description": data.key_name(r, i),
               "created_at": iso(data.created_epoch(r, i, self.count)),
               "creator_email": None, "creator_still_in_org": None, "creator_image_url": None,
               "_creator_name": None}
        if i < self.count - self.count // 10:
            name, nick, email = data.PEOPLE[r.randrange(len(data.PEOPLE))]
            in_org = r.random() >= 0.15
            key.update(creator_email=email, creator_still_in_org=in_org, _creator_name=name,
                       creator_image_url=f"https://avatars.sim.example/{nick}.png" if in_org else None)
        return key

    def error(self, req: Request, status: int, message: str | None = None,
              headers: list[tuple[str, str]] | None = None) -> Response:
        body = {"error_code": _CODES.get(status), "title": reason(status),
                "message": message or reason(status), "request_id": req.request_id, "doc_url": DOC_URL}
        return json_response(status, body, headers)

    # -- routing --------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        version = req.header("Cartesia-Version")
        if version is None:
            return self.error(req, 400, f"The Cartesia-Version header is required (use {VERSION}).")
        if version.strip() != VERSION:
            return self.error(req, 400, f"Unsupported Cartesia-Version '{version}'; this endpoint needs {VERSION}.")
        scheme, _, token = (req.header("Authorization") or "").partition(" ")
        if scheme != "Bearer" or token.strip() not in (ADMIN_KEY, STANDARD_KEY):
            return self.error(req, 401, "Invalid or missing API key.")
        if token.strip() != ADMIN_KEY:
            return self.error(req, 403, "This endpoint requires an admin API key (sk_car_admin_...).")

        match = re.fullmatch(r"/api-keys(?:/([^/]+))?", req.path)
        if not match:
            return self.error(req, 404, f"No route for {req.method} {req.path}.")
        if req.method != "GET":
            return self.error(req, 405, f"{req.method} is not supported on {req.path}.", [("Allow", "GET")])
        if match.group(1) is None:
            return self._list(req)
        handle = self.store.find(match.group(1))
        if handle is None:
            return self.error(req, 404, f"API key '{match.group(1)}' not found.")
        return json_response(200, _public(self.store.get(handle)))

    # -- list -----------------------------------------------------------------

    def _list(self, req: Request) -> Response:
        raw_limit = req.param("limit")
        limit = DEFAULT_LIMIT if raw_limit in (None, "") else parse_int(raw_limit)
        if limit is None or limit < 1:
            return self.error(req, 400, "limit must be a positive integer.")
        limit = min(limit, MAX_LIMIT)
        after, before = req.param("starting_after") or None, req.param("ending_before") or None
        if after and before:
            return self.error(req, 400, "starting_after and ending_before cannot be used together.")
        cursor = after or before
        position = None
        if cursor:
            handle = self.store.find(cursor)
            if handle is None:
                return self.error(req, 400, f"No API key with id '{cursor}'.")
            position = self.store.position(handle)
        q = (req.param("q") or "").casefold()
        handles = self.store.handles

        if before:
            found = self._collect(reversed(handles[:position]), q, limit + 1)
            page, has_more = found[:limit][::-1], len(found) > limit
        elif req.stuck_cursor and after:  # fault: the page that ended at `after`, again
            page, has_more = self._collect(reversed(handles[:position + 1]), q, limit)[::-1], True
        else:
            start = 0 if position is None else position + 1
            found = self._collect(handles[start:], q, limit + 1)
            page, has_more = found[:limit], len(found) > limit or req.stuck_cursor
        if req.empty_page:  # fault: nothing here, yet "more"
            page, has_more = [], True
        return json_response(200, {"data": [_public(k) for k in page], "has_more": has_more})

    def _collect(self, handles, q: str, wanted: int) -> list[dict]:
        found = []
        for handle in handles:
            key = self.store.get(handle)
            if not q or any(q in (key.get(f) or "").casefold()
                            for f in ("description", "_creator_name", "creator_email")):
                found.append(key)
                if len(found) == wanted:
                    break
        return found


def _public(key: dict) -> dict:
    return {k: v for k, v in key.items() if not k.startswith("_")}
