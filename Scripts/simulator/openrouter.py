"""OpenRouter's key API (real base URL https://openrouter.ai/api/v1; here /openrouter/api/v1).

Credentials (header `Authorization: Bearer <key>`):
  sk-or-v1-mgmt-sim   management key: every route
  sk-or-v1-user-sim   plain inference key: 403 on every key route, reads included
                      (chosen: PROVIDERS.md only says "403 on writes", but listing
                      keys is a management route too)
No header: 401 "Missing Authentication header"; anything else: 401.

Workspaces (fixed): default 0df9e665-d932-5740-b2c7-b52af166bc11 (used when
`workspace_id` is absent; it is the id in OpenRouter's own example) and
6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f. Seeded key i is in the second one when
i % 5 == 4, disabled when i % 7 == 6, expired when i % 11 == 10.

Routes:
  GET    /keys?offset&include_disabled&include_expired&workspace_id   {"data": [...]}
  POST   /keys                201 {"data": Key, "key": "sk-or-v1-<64 hex>"}
  GET    /keys/{hash}         {"data": Key}, or 404
  PATCH  /keys/{hash}         {"data": Key}; 400 without a known field
  DELETE /keys/{hash}         200 {"deleted": true}, or 404
Errors: {"error": {"code", "message"}}, status = code.

Paging: a page is the 100 most recent keys from `offset` (newest first) among
those the filters let through; there is no `limit` parameter, and a `limit`
query parameter is ignored, as unknown parameters are. `offset` must be an
integer >= 0; include_disabled / include_expired must be "true" or "false";
workspace_id must be a UUID (400) of a known workspace (404 otherwise). A key
is expired when its expires_at is in the past (real clock). `expires_at` on
create must end in "Z" or "+00:00" (any other offset or none at all: 400).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from datetime import datetime, timezone

import data
from common import BadJSON, Request, Response, is_uuid, iso, json_response, now_iso, parse_int

NAME = "openrouter"
PREFIX = "/openrouter/api/v1"
MANAGEMENT_KEY = "sk-or-v1-mgmt-sim"
USER_KEY = "sk-or-v1-user-sim"
DEFAULT_WORKSPACE = "0df9e665-d932-5740-b2c7-b52af166bc11"
OTHER_WORKSPACE = "6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
PAGE = 100
RESETS = ("daily", "weekly", "monthly")
_YEAR = 365 * 86400


def seeded_flags(i: int) -> tuple[str, bool, bool]:
    """(workspace_id, disabled, expired) of seeded key i, without building it."""
    return (OTHER_WORKSPACE if i % 5 == 4 else DEFAULT_WORKSPACE), i % 7 == 6, i % 11 == 10


class OpenRouter(data.SeededProvider):
    name = NAME
    prefix = PREFIX

    def make_id(self, i: int, salt: str) -> str:
        return data.digest(self.seed, NAME, i, salt)

    def reset(self) -> None:
        super().reset()
        self._views: dict = {}  # filters -> (store version, second, visible handles)

    def _build(self, i: int) -> dict:
        r = data.rng(self.seed, NAME, i)
        workspace, disabled, expired = seeded_flags(i)
        created = data.created_epoch(r, i, self.count)
        usage = round(r.uniform(0, 250), 4) if r.random() < 0.8 else 0.0
        byok = round(r.uniform(0, 50), 4) if r.random() < 0.3 else 0.0
        u_m, b_m = round(usage * r.uniform(0.3, 1), 4), round(byok * r.uniform(0.3, 1), 4)
        u_w, b_w = round(u_m * r.uniform(0.2, 1), 4), round(b_m * r.uniform(0.2, 1), 4)
        u_d, b_d = round(u_w * r.random(), 4), round(b_w * r.random(), 4)
        limit = r.choice([None, None, None, 5, 10, 25, 50, 100, 500])
        limit_reset = None if limit is None else r.choice([None, *RESETS])
        include_byok = r.random() < 0.2
        if expired:
            expires = created + r.randrange(86400, 30 * 86400)
        else:
            expires = data.BASE_TIME + 5 * _YEAR + r.randrange(2 * _YEAR) if r.random() < 0.25 else None
        label_hex = data.digest(self.seed, NAME, i, "secret")
        key = {
            "hash": self._ids[i], "name": data.key_name(r, i),
            "label": f"sk-or-v1-{label_hex[:3]}...{label_hex[-4:]}", "disabled": disabled,
            "limit": limit, "limit_remaining": None, "limit_reset": limit_reset,
            "include_byok_in_limit": include_byok,
            "usage": usage, "usage_daily": u_d, "usage_weekly": u_w, "usage_monthly": u_m,
            "byok_usage": byok, "byok_usage_daily": b_d, "byok_usage_weekly": b_w, "byok_usage_monthly": b_m,
            "created_at": iso(created),
            "updated_at": None if r.random() < 0.1 else iso(created + r.randrange(max(data.BASE_TIME - created, 1))),
            "expires_at": None if expires is None else iso(expires),
            "last_used_at": None if r.random() < 0.2 else iso(created + r.randrange(max(data.BASE_TIME - created, 1))),
            "creator_user_id": None if r.random() < 0.1 else "user_" + "".join(
                r.choice(string.ascii_letters + string.digits) for _ in range(27)),
            "external_user": f"customer-{r.randrange(1000, 10000)}" if r.random() < 0.15 else None,
            "workspace_id": workspace,
        }
        return _with_remaining(key)

    def error(self, req: Request, status: int, message: str | None = None,
              headers: list[tuple[str, str]] | None = None) -> Response:
        default = {400: "Bad Request", 401: "Missing Authentication header", 403: "Forbidden",
                   404: "Not Found", 405: "Method Not Allowed", 429: "Rate limit exceeded",
                   500: "Internal Server Error", 503: "Service Unavailable"}.get(status, f"HTTP {status}")
        return json_response(status, {"error": {"code": status, "message": message or default}}, headers)

    # -- routing --------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        auth = req.header("Authorization")
        if not auth:
            return self.error(req, 401, "Missing Authentication header")
        scheme, _, token = auth.partition(" ")
        if scheme != "Bearer" or token.strip() not in (MANAGEMENT_KEY, USER_KEY):
            return self.error(req, 401, "Invalid API key")
        if token.strip() != MANAGEMENT_KEY:
            return self.error(req, 403, "Only management keys can manage API keys")

        if req.path == "/keys":
            if req.method == "GET":
                return self._list(req)
            if req.method == "POST":
                return self._create(req)
            return self.error(req, 405, headers=[("Allow", "GET, POST")])
        match = re.fullmatch(r"/keys/([^/]+)", req.path)
        if not match:
            return self.error(req, 404)
        if req.method not in ("GET", "PATCH", "DELETE"):
            return self.error(req, 405, headers=[("Allow", "GET, PATCH, DELETE")])
        handle = self.store.find(match.group(1))
        if handle is None:
            return self.error(req, 404, "API key not found")
        if req.method == "GET":
            return json_response(200, {"data": self.store.get(handle)})
        if req.method == "DELETE":
            self.store.remove(match.group(1))
            return json_response(200, {"deleted": True})
        return self._update(req, handle)

    # -- handlers -------------------------------------------------------------

    def _list(self, req: Request) -> Response:
        raw = req.param("offset")
        offset = 0 if raw is None else parse_int(raw)
        if offset is None or offset < 0:
            return self.error(req, 400, "offset must be a non-negative integer")
        flags = {}
        for name in ("include_disabled", "include_expired"):
            value = req.param(name)
            if value not in (None, "true", "false"):
                return self.error(req, 400, f'{name} must be "true" or "false"')
            flags[name] = value == "true"
        workspace = req.param("workspace_id")
        if workspace is None:
            workspace = DEFAULT_WORKSPACE
        elif not is_uuid(workspace):
            return self.error(req, 400, "workspace_id must be a UUID")
        elif workspace.lower() not in (DEFAULT_WORKSPACE, OTHER_WORKSPACE):
            return self.error(req, 404, "Workspace not found")

        visible = self._visible_handles(workspace.lower(), flags["include_disabled"], flags["include_expired"])
        if req.stuck_cursor:  # fault: a full page identical to the previous one
            start = max(offset - PAGE, 0)
            chosen = visible[start:start + PAGE]
            chosen = [chosen[i % len(chosen)] for i in range(PAGE)] if chosen else []
        else:
            chosen = visible[offset:offset + PAGE]
        return json_response(200, {"data": [self.store.get(h) for h in chosen]})

    def _visible_handles(self, workspace: str, disabled_ok: bool, expired_ok: bool) -> list[int]:
        """The filtered list, cached while the keys are unchanged (for up to a second, as keys expire),
        so paging through 100,000 keys does not filter them all again for every page."""
        now = datetime.now(tz=timezone.utc).timestamp()
        filters = (workspace, disabled_ok, expired_ok)
        cached = self._views.get(filters)
        if cached and cached[0] == self.store.version and cached[1] == int(now):
            return cached[2]
        visible = [h for h in self.store.handles if self._visible(h, workspace, disabled_ok, expired_ok, now)]
        self._views[filters] = (self.store.version, int(now), visible)
        return visible

    def _visible(self, handle: int, workspace: str, disabled_ok: bool, expired_ok: bool, now: float) -> bool:
        if self.store.is_seeded(handle):
            key_workspace, disabled, expired = seeded_flags(handle)
        else:
            key = self.store.get(handle)
            key_workspace, disabled = key["workspace_id"], key["disabled"]
            expired = key["expires_at"] is not None and _parse_utc(key["expires_at"]) <= now
        return key_workspace == workspace and (disabled_ok or not disabled) and (expired_ok or not expired)

    def _create(self, req: Request) -> Response:
        try:
            body = req.json_object()
        except BadJSON as exc:
            return self.error(req, 400, str(exc))
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            return self.error(req, 400, "name is required")
        problem = _check_common(body)
        if problem:
            return self.error(req, *problem)
        expires_at = body.get("expires_at")
        if expires_at is not None:
            if not isinstance(expires_at, str) or _parse_utc(expires_at) is None:
                return self.error(req, 400, "expires_at must be an ISO 8601 timestamp in UTC (ending in Z or +00:00)")
            expires_at = iso(_parse_utc(expires_at))
        creator = body.get("creator_user_id")
        if creator is not None and not isinstance(creator, str):
            return self.error(req, 400, "creator_user_id must be a string")

        secret = "sk-or-v1-" + secrets.token_hex(32)
        key_hash = hashlib.sha256(secret.encode()).hexdigest()
        now = now_iso()
        key = {
            "hash": key_hash, "name": name, "label": f"{secret[:12]}...{secret[-4:]}", "disabled": False,
            "limit": body.get("limit"), "limit_remaining": None, "limit_reset": body.get("limit_reset"),
            "include_byok_in_limit": body.get("include_byok_in_limit", False),
            "usage": 0.0, "usage_daily": 0.0, "usage_weekly": 0.0, "usage_monthly": 0.0,
            "byok_usage": 0.0, "byok_usage_daily": 0.0, "byok_usage_weekly": 0.0, "byok_usage_monthly": 0.0,
            "created_at": now, "updated_at": now, "expires_at": expires_at, "last_used_at": None,
            "creator_user_id": creator, "external_user": None,
            "workspace_id": (body.get("workspace_id") or DEFAULT_WORKSPACE).lower(),
        }
        key = _with_remaining(key)
        self.store.add_first(key_hash, key)
        return json_response(201, {"data": key, "key": secret})

    def _update(self, req: Request, handle: int) -> Response:
        try:
            body = req.json_object()
        except BadJSON as exc:
            return self.error(req, 400, str(exc))
        fields = ("name", "disabled", "limit", "limit_reset", "include_byok_in_limit", "workspace_id")
        if not any(f in body for f in fields):
            return self.error(req, 400, "At least one field to update must be provided: " + ", ".join(fields))
        if "name" in body and (not isinstance(body["name"], str) or not body["name"].strip()):
            return self.error(req, 400, "name must be a non-empty string")
        if "disabled" in body and not isinstance(body["disabled"], bool):
            return self.error(req, 400, "disabled must be a boolean")
        if "workspace_id" in body and body["workspace_id"] is None:
            return self.error(req, 400, "workspace_id must be a UUID")
        problem = _check_common(body)
        if problem:
            return self.error(req, *problem)
        key = self.store.get(handle)
        for f in fields:
            if f in body:
                key[f] = body[f].lower() if f == "workspace_id" else body[f]
        key["updated_at"] = now_iso()
        self.store.replace(handle, _with_remaining(key))
        return json_response(200, {"data": self.store.get(handle)})


def _check_common(body: dict) -> tuple[int, str] | None:
    """Checks the fields create and update share; returns (status, message) of the first problem."""
    limit = body.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 0):
        return 400, "limit must be a non-negative number or null"
    if body.get("limit_reset") not in (None, *RESETS):
        return 400, "limit_reset must be one of daily, weekly, monthly or null"
    if "include_byok_in_limit" in body and not isinstance(body["include_byok_in_limit"], bool):
        return 400, "include_byok_in_limit must be a boolean"
    workspace = body.get("workspace_id")
    if workspace is not None:
        if not is_uuid(workspace):
            return 400, "workspace_id must be a UUID"
        if workspace.lower() not in (DEFAULT_WORKSPACE, OTHER_WORKSPACE):
            return 404, "Workspace not found"
    return None


def _with_remaining(key: dict) -> dict:
    """Sets limit_remaining from the limit and the usage of the current reset period."""
    if key["limit"] is None:
        key["limit_remaining"] = None
        return key
    period = {"daily": "_daily", "weekly": "_weekly", "monthly": "_monthly"}.get(key["limit_reset"], "")
    spent = key["usage" + period] + (key["byok_usage" + period] if key["include_byok_in_limit"] else 0)
    key["limit_remaining"] = max(0.0, round(key["limit"] - spent, 4))
    return key


def _parse_utc(value: str) -> float | None:
    """Epoch seconds of an ISO-8601 date-time that is explicitly UTC; None otherwise."""
    if "T" not in value or not value.endswith(("Z", "+00:00")):
        return None
    try:
        return datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value).timestamp()
    except ValueError:
        return None
