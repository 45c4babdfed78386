"""px0's key API (self-hosted; real default http://localhost:8000; here /px0).

Credentials (header `Authorization: Bearer <token>`):
  sess_sim_admin    session token of an admin of the org below
  sess_sim_member   session token of a plain member: 403 {"error":"forbidden"}
  ak_...            any programmatic key: 401 {"error":"unauthorized"}, because
                    px0 accepts only session tokens on /v1/api-keys
Anything else or no header: 401 {"error":"unauthorized"}.

Fixed ids:
  org          7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f
  team render  3f6b8a2c-1d4e-4f5a-8b9c-0d1e2f3a4b5c   (of the org)
  team eval    9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d   (of the org)
  team foreign 5e1f0a9b-2c3d-4e5f-a6b7-c8d9e0f1a2b3   (of another org: 400 when used)
Any other valid org UUID gets 403 forbidden; any other team UUID 404 team not found.

Routes:
  GET    /v1/api-keys?org_id=           {"api_keys": [...]}, the whole list, newest first
  POST   /v1/api-keys                   201 {id, name, key, operation, created_at}
  PUT    /v1/api-keys/{id}              200 {"api_key": {...}}
  DELETE /v1/api-keys/{id}              204
  POST   /v1/api-keys/{id}/regenerate   200 {id, name, key, org_id, team_id, operation, created_at}
Errors: {"error": "<message>"}.

Choices where px0 documents nothing: the listed object has one `team_id`, so a
key created or updated with several `team_ids` records the first (an empty list
means org-wide: null). Role checks come after the org/id is validated and found
(the server must know the org before it can check the caller's role there).
"""

from __future__ import annotations

import re
import secrets
import uuid

import data
from common import BadJSON, Request, Response, is_uuid, iso, json_response, no_content, now_iso

NAME = "px0"
PREFIX = "/px0"
ADMIN_TOKEN = "sess_sim_admin"
MEMBER_TOKEN = "sess_sim_member"
ORG_ID = "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
TEAM_RENDER = "3f6b8a2c-1d4e-4f5a-8b9c-0d1e2f3a4b5c"
TEAM_EVAL = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
FOREIGN_TEAM = "5e1f0a9b-2c3d-4e5f-a6b7-c8d9e0f1a2b3"
OPERATIONS = ("read_render", "all", "admin")

_ID_ROUTE = re.compile(r"/v1/api-keys/([^/]+)(/regenerate)?")


class Px0(data.SeededProvider):
    name = NAME
    prefix = PREFIX

    def make_id(self, i: int, salt: str) -> str:
        return data.as_uuid(data.digest(self.seed, NAME, i, salt))

    def _build(self, i: int) -> dict:
        r = data.rng(self.seed, NAME, i)
        created = data.created_epoch(r, i, self.count)
        operation = r.choices(OPERATIONS, weights=(6, 3, 1))[0]
        used = None if r.random() < 0.25 else iso(created + r.randrange(max(data.BASE_TIME - created, 1) + 86400))
        return {"id": self._ids[i], "name": data.key_name(r, i), "org_id": ORG_ID,
                "team_id": (None, TEAM_RENDER, TEAM_EVAL)[i % 3], "operation": operation,
                "created_at": iso(created), "last_used_at": used}

    def error(self, req: Request, status: int, message: str | None = None,
              headers: list[tuple[str, str]] | None = None) -> Response:
        default = {400: "bad request", 401: "unauthorized", 403: "forbidden", 404: "not found",
                   405: "method not allowed", 429: "too many requests"}.get(status, "internal server error")
        return json_response(status, {"error": message or default}, headers)

    # -- routing --------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        scheme, _, token = (req.header("Authorization") or "").partition(" ")
        token = token.strip()
        if scheme != "Bearer" or token not in (ADMIN_TOKEN, MEMBER_TOKEN):
            return self.error(req, 401, "unauthorized")
        admin = token == ADMIN_TOKEN

        if req.path == "/v1/api-keys":
            if req.method == "GET":
                return self._list(req, admin)
            if req.method == "POST":
                return self._create(req, admin)
            return self.error(req, 405, headers=[("Allow", "GET, POST")])
        match = _ID_ROUTE.fullmatch(req.path)
        if not match:
            return self.error(req, 404)
        key_id, regenerate = match.group(1), bool(match.group(2))
        allowed = ("POST",) if regenerate else ("PUT", "DELETE")
        if req.method not in allowed:
            return self.error(req, 405, headers=[("Allow", ", ".join(allowed))])
        if not is_uuid(key_id):
            return self.error(req, 400, "invalid id")
        handle = self.store.find(key_id.lower())
        if handle is None:
            return self.error(req, 404, "api key not found")
        if not admin:
            return self.error(req, 403, "forbidden")
        if regenerate:
            return self._regenerate(handle)
        if req.method == "DELETE":
            self.store.remove(key_id.lower())
            return no_content()
        return self._update(req, handle)

    def _org_error(self, req: Request, org_id, admin: bool) -> Response | None:
        if org_id is None or org_id == "":
            return self.error(req, 400, "org_id is required")
        if not is_uuid(org_id):
            return self.error(req, 400, "invalid org_id")
        if org_id.lower() != ORG_ID or not admin:
            return self.error(req, 403, "forbidden")
        return None

    def _team_error(self, req: Request, team_ids) -> tuple[Response | None, str | None]:
        """Validates `team_ids`; returns (error, the team_id to record)."""
        if team_ids is None:
            return None, None
        if not isinstance(team_ids, list) or not all(isinstance(t, str) for t in team_ids):
            return self.error(req, 400, "team_ids must be an array of UUIDs"), None
        for team in team_ids:
            if not is_uuid(team):
                return self.error(req, 400, "invalid team_id"), None
            if team.lower() == FOREIGN_TEAM:
                return self.error(req, 400, "team does not belong to organization"), None
            if team.lower() not in (TEAM_RENDER, TEAM_EVAL):
                return self.error(req, 404, "team not found"), None
        return None, team_ids[0].lower() if team_ids else None

    # -- handlers -------------------------------------------------------------

    def _list(self, req: Request, admin: bool) -> Response:
        denied = self._org_error(req, req.param("org_id"), admin)
        if denied:
            return denied
        return json_response(200, {"api_keys": self.store.page(0, len(self.store))})

    def _create(self, req: Request, admin: bool) -> Response:
        try:
            body = req.json_object()
        except BadJSON:
            return self.error(req, 400, "invalid request body")
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            return self.error(req, 400, "name is required")
        org_id = body.get("org_id")
        if org_id is not None and not isinstance(org_id, str):
            return self.error(req, 400, "invalid org_id")
        denied = self._org_error(req, org_id, admin)
        if denied:
            return denied
        operation = body.get("operation", "read_render")
        if operation not in OPERATIONS:
            return self.error(req, 400, "invalid operation")
        denied, team_id = self._team_error(req, body.get("team_ids"))
        if denied:
            return denied
        key_id, key, created = str(uuid.uuid4()), "ak_" + secrets.token_hex(32), now_iso()
        self.store.add_first(key_id, {"id": key_id, "name": name, "org_id": ORG_ID, "team_id": team_id,
                                      "operation": operation, "created_at": created, "last_used_at": None})
        return json_response(201, {"id": key_id, "name": name, "key": key, "operation": operation,
                                   "created_at": created})

    def _update(self, req: Request, handle: int) -> Response:
        try:
            body = req.json_object()
        except BadJSON:
            return self.error(req, 400, "invalid request body")
        key = self.store.get(handle)
        if "name" in body:
            if not isinstance(body["name"], str) or not body["name"].strip():
                return self.error(req, 400, "name must not be empty")
            key["name"] = body["name"]
        if "operation" in body:
            if body["operation"] not in OPERATIONS:
                return self.error(req, 400, "invalid operation")
            key["operation"] = body["operation"]
        if "team_ids" in body:
            denied, team_id = self._team_error(req, body["team_ids"])
            if denied:
                return denied
            key["team_id"] = team_id
        self.store.replace(handle, key)
        return json_response(200, {"api_key": key})

    def _regenerate(self, handle: int) -> Response:
        key = self.store.get(handle)
        return json_response(200, {"id": key["id"], "name": key["name"], "key": "ak_" + secrets.token_hex(32),
                                   "org_id": key["org_id"], "team_id": key["team_id"],
                                   "operation": key["operation"], "created_at": key["created_at"]})
