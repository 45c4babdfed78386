"""Self-tests of the simulator: every behaviour keyctl's tests rely on, over real HTTP.

Run from the repository root:
    python3 -m unittest discover -s Scripts/simulator -p 'test_*.py'
One simulator is started in-process on a free port for the whole module and
reset before each test; a few tests start their own (determinism, 100,000 keys)
or run the command line as a subprocess.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib

import server

HERE = os.path.dirname(os.path.abspath(__file__))
FAL = {"Authorization": "Key sim_fal_admin:sim-fal-admin-secret"}
PX0 = {"Authorization": "Bearer sess_sim_admin"}
CAR = {"Authorization": "Bearer sk_car_admin_sim", "Cartesia-Version": "2026-03-01"}
OR = {"Authorization": "Bearer sk-or-v1-mgmt-sim"}
ORG = "7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f"
TEAM_A, TEAM_B = "3f6b8a2c-1d4e-4f5a-8b9c-0d1e2f3a4b5c", "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
FOREIGN_TEAM = "5e1f0a9b-2c3d-4e5f-a6b7-c8d9e0f1a2b3"
WS_DEFAULT, WS_OTHER = "0df9e665-d932-5740-b2c7-b52af166bc11", "6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
OR_FIELDS = {"hash", "name", "label", "disabled", "limit", "limit_remaining", "limit_reset",
             "include_byok_in_limit", "usage", "usage_daily", "usage_weekly", "usage_monthly",
             "byok_usage", "byok_usage_daily", "byok_usage_weekly", "byok_usage_monthly", "created_at",
             "updated_at", "expires_at", "last_used_at", "creator_user_id", "external_user", "workspace_id"}

SIM: server.Running | None = None


def setUpModule():
    global SIM
    SIM = server.start(server.Config())


def tearDownModule():
    SIM.stop()


class Reply:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.raw = response.read()

    @property
    def json(self):
        return json.loads(self.raw)


def call(method, path, headers=None, body=None, port=None, conn=None) -> Reply:
    """One request; on a new connection unless `conn` is given."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port or SIM.port, timeout=10)
    headers = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    try:
        conn.request(method, path, body=body, headers=headers)
        return Reply(conn.getresponse())
    finally:
        if own:
            conn.close()


def fault(**spec) -> int:
    reply = call("POST", "/_sim/faults", body=spec)
    assert reply.status == 201, reply.raw
    return reply.json["id"]


def log():
    return call("GET", "/_sim/log").json


def fal_all(limit=None, port=None):
    """Pages fal to the end; returns (keys, requests)."""
    keys, cursor, requests = [], None, 0
    while True:
        query = "&".join(p for p in (f"limit={limit}" if limit else "", f"cursor={cursor}" if cursor else "") if p)
        reply = call("GET", "/fal/v1/keys" + ("?" + query if query else ""), FAL, port=port)
        requests += 1
        assert reply.status == 200, reply.raw
        keys += reply.json["keys"]
        cursor = reply.json["next_cursor"]
        if not reply.json["has_more"] or cursor is None:
            return keys, requests


def cartesia_all(limit=None, q=None):
    keys, after, requests = [], None, 0
    while True:
        params = [p for p in (f"limit={limit}" if limit else "", f"q={q}" if q else "",
                              f"starting_after={after}" if after else "") if p]
        reply = call("GET", "/cartesia/api-keys" + ("?" + "&".join(params) if params else ""), CAR)
        requests += 1
        assert reply.status == 200, reply.raw
        keys += reply.json["data"]
        if not reply.json["has_more"]:
            return keys, requests
        after = keys[-1]["id"]


def openrouter_all(query=""):
    keys, offset, requests = [], 0, 0
    while True:
        reply = call("GET", f"/openrouter/api/v1/keys?offset={offset}{query}", OR)
        requests += 1
        assert reply.status == 200, reply.raw
        keys += reply.json["data"]
        if len(reply.json["data"]) < 100:
            return keys, requests
        offset += 100


class SimTest(unittest.TestCase):
    def setUp(self):
        self.assertEqual(call("POST", "/_sim/reset").status, 204)

    def assertFalError(self, reply, status, kind):
        self.assertEqual(reply.status, status, reply.raw)
        error = reply.json["error"]
        self.assertEqual(error["type"], kind)
        self.assertTrue(error["message"])
        self.assertTrue(error["request_id"].startswith("req_"))

    def assertCartesiaError(self, reply, status):
        self.assertEqual(reply.status, status, reply.raw)
        self.assertEqual(set(reply.json), {"error_code", "title", "message", "request_id", "doc_url"})

    def assertOpenRouterError(self, reply, status):
        self.assertEqual(reply.status, status, reply.raw)
        self.assertEqual(reply.json["error"]["code"], status)
        self.assertTrue(reply.json["error"]["message"])


class FalTests(SimTest):
    def test_auth(self):
        self.assertFalError(call("GET", "/fal/v1/keys"), 401, "authorization_error")
        self.assertEqual(call("GET", "/fal/v1/keys").json["error"]["message"], "Authentication required")
        bearer = {"Authorization": "Bearer sim_fal_admin:sim-fal-admin-secret"}
        self.assertFalError(call("GET", "/fal/v1/keys", bearer), 401, "authorization_error")
        self.assertFalError(call("GET", "/fal/v1/keys", {"Authorization": "Key sim_fal_admin:nope"}),
                            401, "authorization_error")
        user = {"Authorization": "Key sim_fal_user:sim-fal-user-secret"}
        self.assertFalError(call("GET", "/fal/v1/keys", user), 403, "authorization_error")
        self.assertFalError(call("POST", "/fal/v1/keys", user, {"alias": "x"}), 403, "authorization_error")

    def test_paging_default_limit_every_key_once(self):
        keys, requests = fal_all()
        self.assertEqual(requests, 13)  # 250 keys, 20 a page
        self.assertEqual(len({k["key_id"] for k in keys}), 250)
        self.assertEqual(len(keys), 250)
        self.assertEqual(call("GET", "/_sim/stats").json["by_provider"]["fal"]["requests"], 13)
        created = [k["created_at"] for k in keys]
        self.assertEqual(created, sorted(created, reverse=True))  # newest first
        self.assertEqual({k["scope"] for k in keys}, {"API"})
        self.assertNotIn("creator_email", keys[0])

    def test_limit_cap_and_validation(self):
        self.assertEqual(fal_all(limit=100)[1], 3)
        first = call("GET", "/fal/v1/keys?limit=1000", FAL).json
        self.assertEqual(len(first["keys"]), 100)  # capped
        keys, requests = fal_all(limit=7)
        self.assertEqual((len({k["key_id"] for k in keys}), requests), (250, 36))
        for bad in ("0", "-1", "abc", "1.5", ""):
            self.assertFalError(call("GET", f"/fal/v1/keys?limit={bad}", FAL), 400, "validation_error")

    def test_cursor(self):
        everything = fal_all(limit=100)[0]
        page2 = call("GET", "/fal/v1/keys?limit=20&cursor=Mg==", FAL).json
        self.assertEqual([k["key_id"] for k in page2["keys"]], [k["key_id"] for k in everything[20:40]])
        self.assertEqual(page2["next_cursor"], base64.b64encode(b"3").decode())
        last = call("GET", "/fal/v1/keys?limit=100&cursor=" + base64.b64encode(b"3").decode(), FAL).json
        self.assertEqual((len(last["keys"]), last["next_cursor"], last["has_more"]), (50, None, False))
        beyond = call("GET", "/fal/v1/keys?cursor=" + base64.b64encode(b"99").decode(), FAL).json
        self.assertEqual((beyond["keys"], beyond["next_cursor"], beyond["has_more"]), ([], None, False))
        for bad in ("!!!", base64.b64encode(b"abc").decode(), base64.b64encode(b"0").decode()):
            self.assertFalError(call("GET", f"/fal/v1/keys?cursor={bad}", FAL), 400, "validation_error")

    def test_expand_creator_info(self):
        keys = call("GET", "/fal/v1/keys?expand=creator_info", FAL).json["keys"]
        self.assertTrue(all("@" in k["creator_email"] and k["creator_nickname"] for k in keys))

    def test_create(self):
        reply = call("POST", "/fal/v1/keys", FAL, {"alias": "ci key"})
        self.assertEqual(reply.status, 201)
        created = reply.json
        self.assertEqual(created["key"], f"{created['key_id']}:{created['key_secret']}")
        first = call("GET", "/fal/v1/keys?limit=1", FAL).json["keys"][0]
        self.assertEqual((first["key_id"], first["alias"]), (created["key_id"], "ci key"))
        self.assertEqual(len(fal_all(limit=100)[0]), 251)
        self.assertEqual(call("POST", "/fal/v1/keys", FAL, {"alias": "x" * 255}).status, 201)
        for body in ({}, {"alias": ""}, {"alias": "x" * 256}, {"alias": 5}, "not json", [1]):
            raw = body if isinstance(body, str) else json.dumps(body)
            self.assertFalError(call("POST", "/fal/v1/keys", FAL, raw), 400, "validation_error")
        self.assertNotEqual(call("POST", "/fal/v1/keys", FAL, {"alias": "a"}).json["key_secret"],
                            call("POST", "/fal/v1/keys", FAL, {"alias": "a"}).json["key_secret"])

    def test_delete(self):
        victim = call("GET", "/fal/v1/keys?limit=1", FAL).json["keys"][0]["key_id"]
        reply = call("DELETE", f"/fal/v1/keys/{victim}", {**FAL, "Idempotency-Key": "abc"})
        self.assertEqual((reply.status, reply.raw), (204, b""))
        # The log keeps the header, so a client's retries can be checked for one key.
        entry = [e for e in log() if e["method"] == "DELETE" and e["path"] == f"/keys/{victim}"][0]
        self.assertEqual(entry["headers"].get("Idempotency-Key"), "abc")
        self.assertEqual(call("DELETE", f"/fal/v1/keys/{victim}", FAL).status, 204)  # idempotent
        self.assertEqual(call("DELETE", "/fal/v1/keys/never-existed", FAL).status, 204)
        keys = fal_all(limit=100)[0]
        self.assertEqual(len(keys), 249)
        self.assertNotIn(victim, {k["key_id"] for k in keys})
        self.assertEqual(call("GET", f"/fal/v1/keys/{victim}", FAL).status, 405)
        conn = http.client.HTTPConnection("127.0.0.1", SIM.port, timeout=10)  # 204 keeps the connection usable
        self.assertEqual(call("DELETE", "/fal/v1/keys/x", FAL, conn=conn).status, 204)
        self.assertEqual(call("GET", "/fal/v1/keys", FAL, conn=conn).status, 200)
        conn.close()
        self.assertFalError(call("GET", "/fal/v1/nothing", FAL), 404, "not_found")


class Px0Tests(SimTest):
    LIST = f"/px0/v1/api-keys?org_id={ORG}"

    def test_auth(self):
        self.assertEqual(call("GET", self.LIST).json, {"error": "unauthorized"})
        self.assertEqual(call("GET", self.LIST).status, 401)
        reply = call("GET", self.LIST, {"Authorization": "Bearer ak_" + "0" * 64})
        self.assertEqual((reply.status, reply.json), (401, {"error": "unauthorized"}))
        reply = call("GET", self.LIST, {"Authorization": "Bearer sess_sim_member"})
        self.assertEqual((reply.status, reply.json), (403, {"error": "forbidden"}))

    def test_org_id(self):
        cases = {"/px0/v1/api-keys": (400, "org_id is required"),
                 "/px0/v1/api-keys?org_id=": (400, "org_id is required"),
                 "/px0/v1/api-keys?org_id=abc": (400, "invalid org_id"),
                 "/px0/v1/api-keys?org_id=11111111-2222-4333-8444-555555555555": (403, "forbidden")}
        for path, (status, message) in cases.items():
            reply = call("GET", path, PX0)
            self.assertEqual((reply.status, reply.json), (status, {"error": message}), path)

    def test_list_whole(self):
        keys = call("GET", self.LIST, PX0).json["api_keys"]
        self.assertEqual(len({k["id"] for k in keys}), 40)
        self.assertEqual({k["team_id"] for k in keys}, {None, TEAM_A, TEAM_B})
        self.assertTrue({k["operation"] for k in keys} <= {"read_render", "all", "admin"})
        self.assertIn(None, {k["last_used_at"] for k in keys})
        self.assertEqual({k["org_id"] for k in keys}, {ORG})
        created = [k["created_at"] for k in keys]
        self.assertEqual(created, sorted(created, reverse=True))
        self.assertEqual(call("GET", "/_sim/stats").json["by_provider"]["px0"]["requests"], 1)

    def test_create(self):
        reply = call("POST", "/px0/v1/api-keys", PX0, {"name": "render", "org_id": ORG, "team_ids": [TEAM_B]})
        self.assertEqual(reply.status, 201)
        self.assertEqual(set(reply.json), {"id", "name", "key", "operation", "created_at"})
        self.assertRegex(reply.json["key"], r"^ak_[0-9a-f]{64}$")
        self.assertEqual(reply.json["operation"], "read_render")
        first = call("GET", self.LIST, PX0).json["api_keys"][0]
        self.assertEqual((first["id"], first["team_id"], first["last_used_at"]), (reply.json["id"], TEAM_B, None))
        org_wide = call("POST", "/px0/v1/api-keys", PX0, {"name": "o", "org_id": ORG, "operation": "admin"})
        self.assertEqual(org_wide.json["operation"], "admin")
        self.assertIsNone(call("GET", self.LIST, PX0).json["api_keys"][0]["team_id"])
        errors = [({"org_id": ORG}, 400, "name is required"),
                  ({"name": "x"}, 400, "org_id is required"),
                  ({"name": "x", "org_id": "nope"}, 400, "invalid org_id"),
                  ({"name": "x", "org_id": ORG, "operation": "write"}, 400, "invalid operation"),
                  ({"name": "x", "org_id": ORG, "team_ids": ["11111111-2222-4333-8444-555555555555"]},
                   404, "team not found"),
                  ({"name": "x", "org_id": ORG, "team_ids": [FOREIGN_TEAM]}, 400, None)]
        for body, status, message in errors:
            reply = call("POST", "/px0/v1/api-keys", PX0, body)
            self.assertEqual(reply.status, status, body)
            if message:
                self.assertEqual(reply.json, {"error": message})
        member = call("POST", "/px0/v1/api-keys", {"Authorization": "Bearer sess_sim_member"},
                      {"name": "x", "org_id": ORG})
        self.assertEqual(member.status, 403)
        self.assertEqual(len(call("GET", self.LIST, PX0).json["api_keys"]), 42)

    def test_update_delete_regenerate(self):
        key = call("GET", self.LIST, PX0).json["api_keys"][3]
        reply = call("PUT", f"/px0/v1/api-keys/{key['id']}", PX0, {"name": "renamed", "operation": "all"})
        self.assertEqual(reply.status, 200)
        self.assertEqual((reply.json["api_key"]["name"], reply.json["api_key"]["operation"]), ("renamed", "all"))
        self.assertEqual(call("GET", self.LIST, PX0).json["api_keys"][3]["name"], "renamed")
        regen = [call("POST", f"/px0/v1/api-keys/{key['id']}/regenerate", PX0) for _ in range(2)]
        self.assertEqual([r.status for r in regen], [200, 200])
        self.assertEqual(regen[0].json["id"], key["id"])
        self.assertNotEqual(regen[0].json["key"], regen[1].json["key"])
        self.assertEqual(set(regen[0].json), {"id", "name", "key", "org_id", "team_id", "operation", "created_at"})
        self.assertEqual(call("DELETE", f"/px0/v1/api-keys/{key['id']}", PX0).status, 204)
        again = call("DELETE", f"/px0/v1/api-keys/{key['id']}", PX0)
        self.assertEqual((again.status, again.json), (404, {"error": "api key not found"}))
        bad = call("DELETE", "/px0/v1/api-keys/not-a-uuid", PX0)
        self.assertEqual((bad.status, bad.json), (400, {"error": "invalid id"}))
        self.assertEqual(call("PUT", f"/px0/v1/api-keys/{key['id']}", PX0, {"name": "x"}).status, 404)
        self.assertEqual(len(call("GET", self.LIST, PX0).json["api_keys"]), 39)

    def test_update_teams_and_what_a_404_means(self):
        """`keyctl update --team-id` relies on these: the first team is recorded, [] is org-wide,
        and an unknown team is a 404 too (so keyctl keeps px0's message rather than "no key")."""
        key = call("GET", self.LIST, PX0).json["api_keys"][0]
        path = f"/px0/v1/api-keys/{key['id']}"
        reply = call("PUT", path, PX0, {"team_ids": [TEAM_B, TEAM_A]})
        self.assertEqual((reply.status, reply.json["api_key"]["team_id"]), (200, TEAM_B))
        self.assertEqual(call("PUT", path, PX0, {"team_ids": []}).json["api_key"]["team_id"], None)
        unknown = call("PUT", path, PX0, {"team_ids": ["11111111-2222-4333-8444-555555555555"]})
        self.assertEqual((unknown.status, unknown.json), (404, {"error": "team not found"}))
        foreign = call("PUT", path, PX0, {"team_ids": [FOREIGN_TEAM]})
        self.assertEqual(foreign.status, 400)
        self.assertEqual(call("PUT", path, PX0, {"operation": "root"}).status, 400)
        upper = f"/px0/v1/api-keys/{key['id'].upper()}"
        self.assertEqual(call("PUT", upper, PX0, {"name": "upper"}).json["api_key"]["name"], "upper")


class CartesiaTests(SimTest):
    def test_version_and_auth(self):
        self.assertCartesiaError(call("GET", "/cartesia/api-keys", {"Authorization": CAR["Authorization"]}), 400)
        self.assertCartesiaError(call("GET", "/cartesia/api-keys", {**CAR, "Cartesia-Version": "2024-06-10"}), 400)
        self.assertCartesiaError(call("GET", "/cartesia/api-keys", {"Cartesia-Version": "2026-03-01"}), 401)
        self.assertCartesiaError(call("GET", "/cartesia/api-keys", {**CAR, "Authorization": "Bearer sk_car_x"}), 401)
        self.assertCartesiaError(call("GET", "/cartesia/api-keys", {**CAR, "Authorization": "Bearer sk_car_sim"}), 403)

    def test_paging_and_cap(self):
        keys, requests = cartesia_all()
        self.assertEqual((len({k["id"] for k in keys}), len(keys), requests), (230, 230, 12))
        keys, requests = cartesia_all(limit=500)
        self.assertEqual((len({k["id"] for k in keys}), requests), (230, 3))
        self.assertEqual(set(keys[0]), {"id", "description", "created_at", "creator_email",
                                        "creator_still_in_org", "creator_image_url"})
        self.assertIsNone(keys[-1]["creator_email"])  # the oldest have no recorded creator
        self.assertTrue(any(k["creator_still_in_org"] is False and k["creator_image_url"] is None for k in keys))

    def test_cursor_rules(self):
        keys = cartesia_all(limit=100)[0]
        reply = call("GET", f"/cartesia/api-keys?ending_before={keys[50]['id']}&limit=10", CAR).json
        self.assertEqual([k["id"] for k in reply["data"]], [k["id"] for k in keys[40:50]])
        self.assertTrue(reply["has_more"])
        reply = call("GET", f"/cartesia/api-keys?ending_before={keys[5]['id']}&limit=10", CAR).json
        self.assertEqual(([k["id"] for k in reply["data"]], reply["has_more"]), ([k["id"] for k in keys[:5]], False))
        both = f"/cartesia/api-keys?starting_after={keys[1]['id']}&ending_before={keys[9]['id']}"
        self.assertCartesiaError(call("GET", both, CAR), 400)
        self.assertCartesiaError(call("GET", "/cartesia/api-keys?starting_after=key_unknown", CAR), 400)
        for bad in ("0", "abc"):
            self.assertCartesiaError(call("GET", f"/cartesia/api-keys?limit={bad}", CAR), 400)

    def test_search(self):
        everything = cartesia_all(limit=100)[0]
        by_email = [k for k in everything if k["creator_email"] == "ada@example.com"]
        found = cartesia_all(q="ADA%20LOVELACE")[0]  # the creator's name, any case
        self.assertEqual(found, by_email)
        found = cartesia_all(q="mobile")[0]
        self.assertEqual(found, [k for k in everything if "mobile" in k["description"].lower()])
        self.assertTrue(found)
        self.assertEqual(cartesia_all(q="zzzz-nothing")[0], [])

    def test_get_one_and_no_writes(self):
        key = call("GET", "/cartesia/api-keys?limit=3", CAR).json["data"][2]
        self.assertEqual(call("GET", f"/cartesia/api-keys/{key['id']}", CAR).json, key)
        self.assertCartesiaError(call("GET", "/cartesia/api-keys/key_nope", CAR), 404)
        reply = call("POST", "/cartesia/api-keys", CAR, {"description": "x"})
        self.assertCartesiaError(reply, 405)
        self.assertEqual(reply.headers["Allow"], "GET")
        self.assertCartesiaError(call("DELETE", f"/cartesia/api-keys/{key['id']}", CAR), 405)


class OpenRouterTests(SimTest):
    ALL = "&include_disabled=true&include_expired=true"

    def test_auth(self):
        reply = call("GET", "/openrouter/api/v1/keys")
        self.assertOpenRouterError(reply, 401)
        self.assertEqual(reply.json["error"]["message"], "Missing Authentication header")
        self.assertOpenRouterError(call("GET", "/openrouter/api/v1/keys", {"Authorization": "Bearer sk-or-v1-x"}), 401)
        user = {"Authorization": "Bearer sk-or-v1-user-sim"}
        self.assertOpenRouterError(call("GET", "/openrouter/api/v1/keys", user), 403)
        self.assertOpenRouterError(call("POST", "/openrouter/api/v1/keys", user, {"name": "x"}), 403)

    def test_paging_filters_and_workspaces(self):
        default, requests = openrouter_all(self.ALL)
        other, other_requests = openrouter_all(self.ALL + f"&workspace_id={WS_OTHER}")
        self.assertEqual(len({k["hash"] for k in default + other}), 250)
        self.assertEqual((len(default), requests), (200, 3))  # 100 + 100 + 0: stop on a short page
        self.assertEqual((len(other), other_requests), (50, 1))
        self.assertEqual({k["workspace_id"] for k in default}, {WS_DEFAULT})
        self.assertEqual(set(default[0]), OR_FIELDS)
        self.assertRegex(default[0]["hash"], r"^[0-9a-f]{64}$")
        self.assertRegex(default[0]["label"], r"^sk-or-v1-[0-9a-f]{3}\.\.\.[0-9a-f]{4}$")
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        expired = [k for k in default if k["expires_at"] and k["expires_at"] < now]
        disabled = [k for k in default if k["disabled"]]
        self.assertTrue(expired and disabled)
        plain = openrouter_all()[0]
        self.assertEqual({k["hash"] for k in plain},
                         {k["hash"] for k in default} - {k["hash"] for k in expired + disabled})
        self.assertEqual(len(openrouter_all("&include_disabled=true")[0]), len(default) - len(expired))
        page = call("GET", "/openrouter/api/v1/keys?limit=5" + self.ALL, OR).json["data"]
        self.assertEqual(len(page), 100)  # no limit parameter: ignored

    def test_validation(self):
        for query in ("offset=-1", "offset=abc", "include_disabled=yes", "include_expired=1", "workspace_id=abc"):
            self.assertOpenRouterError(call("GET", f"/openrouter/api/v1/keys?{query}", OR), 400)
        self.assertOpenRouterError(
            call("GET", "/openrouter/api/v1/keys?workspace_id=11111111-2222-4333-8444-555555555555", OR), 404)

    def test_create(self):
        body = {"name": "ci", "limit": 50, "limit_reset": "monthly", "expires_at": "2030-01-01T00:00:00Z"}
        reply = call("POST", "/openrouter/api/v1/keys", OR, body)
        self.assertEqual(reply.status, 201)
        self.assertRegex(reply.json["key"], r"^sk-or-v1-[0-9a-f]{64}$")
        data = reply.json["data"]
        self.assertEqual(set(data), OR_FIELDS)
        self.assertEqual((data["limit"], data["limit_remaining"], data["expires_at"]), (50, 50.0, "2030-01-01T00:00:00Z"))
        self.assertEqual(data["label"], reply.json["key"][:12] + "..." + reply.json["key"][-4:])
        first = call("GET", "/openrouter/api/v1/keys", OR).json["data"][0]
        self.assertEqual(first["hash"], data["hash"])
        ok = call("POST", "/openrouter/api/v1/keys", OR, {"name": "x", "expires_at": "2030-01-01T00:00:00+00:00"})
        self.assertEqual(ok.status, 201)
        for bad in ({}, {"name": ""}, {"name": "x", "expires_at": "2030-01-01T00:00:00+02:00"},
                    {"name": "x", "expires_at": "2030-01-01T00:00:00"}, {"name": "x", "limit_reset": "yearly"},
                    {"name": "x", "limit": "ten"}, {"name": "x", "workspace_id": "abc"}):
            self.assertOpenRouterError(call("POST", "/openrouter/api/v1/keys", OR, bad), 400)

    def test_get_patch_delete(self):
        key = call("GET", "/openrouter/api/v1/keys", OR).json["data"][0]
        path = f"/openrouter/api/v1/keys/{key['hash']}"
        self.assertEqual(call("GET", path, OR).json, {"data": key})
        self.assertOpenRouterError(call("PATCH", path, OR, {}), 400)
        reply = call("PATCH", path, OR, {"disabled": True, "name": "off"})
        self.assertEqual((reply.status, reply.json["data"]["disabled"], reply.json["data"]["name"]), (200, True, "off"))
        self.assertNotIn(key["hash"], {k["hash"] for k in openrouter_all()[0]})
        self.assertIn(key["hash"], {k["hash"] for k in openrouter_all("&include_disabled=true")[0]})
        reply = call("DELETE", path, OR)
        self.assertEqual((reply.status, reply.json), (200, {"deleted": True}))
        self.assertOpenRouterError(call("DELETE", path, OR), 404)
        self.assertOpenRouterError(call("GET", path, OR), 404)

    def test_patch_null_removes_a_limit_and_a_reset(self):
        """`keyctl update --no-credit-limit --limit-reset none` sends nulls; they must clear."""
        key = call("GET", "/openrouter/api/v1/keys", OR).json["data"][0]
        path = f"/openrouter/api/v1/keys/{key['hash']}"
        limited = call("PATCH", path, OR, {"limit": 12.5, "limit_reset": "weekly"}).json["data"]
        self.assertEqual((limited["limit"], limited["limit_reset"]), (12.5, "weekly"))
        self.assertIsNotNone(limited["limit_remaining"])
        cleared = call("PATCH", path, OR, {"limit": None, "limit_reset": None}).json["data"]
        self.assertEqual((cleared["limit"], cleared["limit_reset"], cleared["limit_remaining"]), (None, None, None))
        self.assertEqual(call("GET", path, OR).json["data"], cleared)
        self.assertOpenRouterError(call("PATCH", path, OR, {"limit_reset": "hourly"}), 400)
        self.assertOpenRouterError(call("PATCH", "/openrouter/api/v1/keys/nope", OR, {"name": "x"}), 404)


class FaultTests(SimTest):
    def test_status_with_retry_headers_then_normal(self):
        fault(provider="fal", kind="status", status=429, retry_after="2", retry_after_ms=150)
        reply = call("GET", "/fal/v1/keys", FAL)
        self.assertFalError(reply, 429, "rate_limited")
        self.assertEqual((reply.headers["Retry-After"], reply.headers["retry-after-ms"]), ("2", "150"))
        self.assertEqual(call("GET", "/fal/v1/keys", FAL).status, 200)  # times defaults to 1

    def test_status_uses_each_providers_error_body(self):
        fault(provider="*", kind="status", status=503, times=-1)
        self.assertFalError(call("GET", "/fal/v1/keys", FAL), 503, "server_error")
        reply = call("GET", f"/px0/v1/api-keys?org_id={ORG}", PX0)
        self.assertEqual((reply.status, list(reply.json)), (503, ["error"]))
        self.assertIsInstance(reply.json["error"], str)
        reply = call("GET", "/cartesia/api-keys", CAR)
        self.assertCartesiaError(reply, 503)
        self.assertIsNone(reply.json["error_code"])
        self.assertOpenRouterError(call("GET", "/openrouter/api/v1/keys", OR), 503)

    def test_after_times_method_path(self):
        fault(provider="openrouter", method="get", path="/keys", after=1, times=2, kind="status", status=500)
        statuses = [call("GET", "/openrouter/api/v1/keys", OR).status for _ in range(4)]
        self.assertEqual(statuses, [200, 500, 500, 200])
        fault(provider="fal", method="POST", kind="status", status=500)
        self.assertEqual(call("GET", "/fal/v1/keys", FAL).status, 200)
        self.assertEqual(call("POST", "/fal/v1/keys", FAL, {"alias": "a"}).status, 500)
        rules = call("GET", "/_sim/faults").json
        self.assertEqual([(r["seen"], r["fired"]) for r in rules], [(3, 2), (1, 1)])
        self.assertEqual(call("DELETE", "/_sim/faults").status, 204)
        self.assertEqual(call("GET", "/_sim/faults").json, [])

    def test_delay(self):
        fault(provider="px0", kind="delay", delay_ms=300)
        started = time.monotonic()
        self.assertEqual(call("GET", f"/px0/v1/api-keys?org_id={ORG}", PX0).status, 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.3)

    def test_malformed(self):
        fault(provider="fal", kind="malformed")
        reply = call("GET", "/fal/v1/keys", FAL)
        self.assertEqual((reply.status, reply.headers["Content-Type"]), (200, "application/json"))
        with self.assertRaises(ValueError):
            json.loads(reply.raw)

    def test_truncated(self):
        fault(provider="cartesia", kind="truncated")
        conn = http.client.HTTPConnection("127.0.0.1", SIM.port, timeout=10)
        conn.request("GET", "/cartesia/api-keys", headers=CAR)
        response = conn.getresponse()
        self.assertEqual(response.status, 200)
        with self.assertRaises(http.client.IncompleteRead):
            response.read()
        conn.close()

    def test_html(self):
        fault(provider="openrouter", kind="html")
        reply = call("GET", "/openrouter/api/v1/keys", OR)
        self.assertEqual((reply.status, reply.headers["Content-Type"]), (502, "text/html"))
        self.assertIn(b"502 Bad Gateway", reply.raw)

    def test_drop(self):
        fault(provider="px0", kind="drop")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            call("GET", f"/px0/v1/api-keys?org_id={ORG}", PX0)
        self.assertEqual(call("GET", f"/px0/v1/api-keys?org_id={ORG}", PX0).status, 200)
        # Only this test's two requests: one an earlier test left in flight may land after reset.
        mine = [e for e in log() if e["path"] == "/v1/api-keys"][-2:]
        self.assertEqual([e["status"] for e in mine], [None, 200])

    def test_stuck_cursor(self):
        fault(provider="fal", kind="stuck_cursor", times=-1)
        first = call("GET", "/fal/v1/keys", FAL).json
        self.assertEqual((first["next_cursor"], first["has_more"]), ("MQ==", True))
        again = call("GET", "/fal/v1/keys?cursor=Mg==", FAL).json
        self.assertEqual((again["next_cursor"], again["has_more"]), ("Mg==", True))

        fault(provider="cartesia", kind="stuck_cursor", times=-1)
        page1 = call("GET", "/cartesia/api-keys?limit=5", CAR).json
        page2 = call("GET", f"/cartesia/api-keys?limit=5&starting_after={page1['data'][-1]['id']}", CAR).json
        self.assertEqual((page2["data"], page2["has_more"]), (page1["data"], True))

        fault(provider="openrouter", kind="stuck_cursor", times=-1)
        page1 = call("GET", "/openrouter/api/v1/keys?offset=0" + OpenRouterTests.ALL, OR).json["data"]
        page2 = call("GET", "/openrouter/api/v1/keys?offset=100" + OpenRouterTests.ALL, OR).json["data"]
        self.assertEqual((len(page2), page2), (100, page1))

    def test_empty_pages(self):
        fault(provider="fal", kind="empty_pages", times=-1)
        cursors = []
        cursor = None
        for _ in range(3):
            page = call("GET", "/fal/v1/keys?limit=5" + (f"&cursor={cursor}" if cursor else ""), FAL).json
            self.assertEqual((page["keys"], page["has_more"]), ([], True))
            cursor = page["next_cursor"]
            cursors.append(cursor)
        self.assertEqual(len(set(cursors)), 3, "each empty page names a new position")

        fault(provider="cartesia", kind="empty_pages")
        page = call("GET", "/cartesia/api-keys?limit=5", CAR).json
        self.assertEqual((page["data"], page["has_more"]), ([], True))
        self.assertEqual(len(call("GET", "/cartesia/api-keys?limit=5", CAR).json["data"]), 5)

        fault(provider="openrouter", kind="empty_pages")
        self.assertEqual(len(call("GET", "/openrouter/api/v1/keys", OR).json["data"]), 100)

    def test_echo_auth_and_log_redaction(self):
        fault(provider="*", kind="echo_auth", times=-1)
        reply = call("GET", "/fal/v1/keys", FAL)
        self.assertEqual(reply.status, 500)
        self.assertIn(FAL["Authorization"], reply.json["error"]["message"])
        reply = call("GET", "/openrouter/api/v1/keys", OR)
        self.assertIn("sk-or-v1-mgmt-sim", reply.json["error"]["message"])
        self.assertNotIn(b"sim-fal-admin-secret", call("GET", "/_sim/log").raw)

    def test_redirect(self):
        fault(provider="fal", kind="redirect", location="http://127.0.0.2:9/elsewhere/keys")
        reply = call("GET", "/fal/v1/keys?limit=5", FAL)
        self.assertEqual((reply.status, reply.headers["Location"], reply.raw),
                         (302, "http://127.0.0.2:9/elsewhere/keys", b""))
        self.assertEqual(reply.headers["Content-Length"], "0")
        self.assertEqual(call("GET", "/fal/v1/keys", FAL).status, 200)  # times defaults to 1
        self.assertEqual([(e["status"], e["fault"] is not None) for e in log()], [(302, True), (200, False)])

    def test_redirect_status_and_keep_query_to_a_same_origin_path(self):
        # A "moved" API: the old path only redirects, the new one answers.
        fault(provider="cartesia", path="/old/", kind="redirect", status=308, times=-1, keep_query=True,
              location=f"{SIM.url}/cartesia/api-keys")
        reply = call("GET", "/cartesia/old/api-keys?limit=2&q=a%20b", CAR)
        self.assertEqual(reply.status, 308)
        target = reply.headers["Location"]
        self.assertEqual(target, f"{SIM.url}/cartesia/api-keys?limit=2&q=a%20b")
        followed = call("GET", target[len(SIM.url):], CAR)
        self.assertEqual(followed.status, 200)
        self.assertLessEqual(len(followed.json["data"]), 2)
        for status in (301, 307):
            fault(provider="px0", kind="redirect", status=status, location="https://px0.example/v1/api-keys?x=1",
                  keep_query=True)
            reply = call("GET", f"/px0/v1/api-keys?org_id={ORG}", PX0)
            self.assertEqual((reply.status, reply.headers["Location"]),
                             (status, f"https://px0.example/v1/api-keys?x=1&org_id={ORG}"))

    def test_invalid_redirect_rules(self):
        for spec in ({"provider": "fal", "kind": "redirect"},
                     {"provider": "fal", "kind": "redirect", "location": "/fal/v1/keys"},
                     {"provider": "fal", "kind": "redirect", "location": "ftp://example.com/"},
                     {"provider": "fal", "kind": "redirect", "location": "http://a.example/\r\nX-Evil: 1"},
                     {"provider": "fal", "kind": "redirect", "location": "http://example.com/", "status": 303},
                     {"provider": "fal", "kind": "redirect", "location": "http://example.com/", "status": "302"},
                     {"provider": "fal", "kind": "redirect", "location": "http://example.com/", "keep_query": 1},
                     {"provider": "fal", "kind": "drop", "location": "http://example.com/"},
                     {"provider": "fal", "kind": "status", "status": 500, "keep_query": True}):
            reply = call("POST", "/_sim/faults", body=spec)
            self.assertEqual(reply.status, 400, spec)
            self.assertIn("error", reply.json)
        self.assertEqual(call("GET", "/_sim/faults").json, [])

    def test_invalid_rules(self):
        for spec in ({"provider": "fal"}, {"provider": "nope", "kind": "drop"},
                     {"provider": "fal", "kind": "status"}, {"provider": "fal", "kind": "delay"},
                     {"provider": "fal", "kind": "drop", "time": 2}, {"provider": "fal", "kind": "drop", "times": 0}):
            self.assertEqual(call("POST", "/_sim/faults", body=spec).status, 400, spec)
        self.assertEqual(call("POST", "/_sim/faults", body="{").status, 400)


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def strict_loads(raw: bytes):
    """json.loads without Python's extensions (NaN, Infinity, lone surrogates)."""
    value = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # a lone surrogate cannot be UTF-8
    return value


class HostileFaultTests(SimTest):
    """The fault kinds of hostile.py: what a client must never print or trust."""

    AUTH = {"fal": FAL, "px0": PX0, "cartesia": CAR, "openrouter": OR}
    LIST = {"fal": "/fal/v1/keys?limit=3", "px0": f"/px0/v1/api-keys?org_id={ORG}",
            "cartesia": "/cartesia/api-keys?limit=3", "openrouter": "/openrouter/api/v1/keys"}
    NAME = {"fal": "alias", "px0": "name", "cartesia": "description", "openrouter": "name"}
    ARRAY = {"fal": "keys", "px0": "api_keys", "cartesia": "data", "openrouter": "data"}

    def get(self, provider):
        return call("GET", self.LIST[provider], self.AUTH[provider])

    def test_echo_auth_everywhere(self):
        for provider, headers in self.AUTH.items():
            auth = headers["Authorization"]
            fault(provider=provider, kind="echo_auth", where="header", status=503)
            reply = self.get(provider)
            self.assertEqual((reply.status, reply.headers["X-Request-Id"]), (503, auth))
            fault(provider=provider, kind="echo_auth", where="request_id")
            body = self.get(provider).json
            self.assertEqual(body["error"]["request_id"] if provider == "fal" else body["request_id"], auth)
            fault(provider=provider, kind="echo_auth", where="content_type")
            reply = self.get(provider)
            self.assertEqual((reply.status, reply.headers["Content-Type"]), (200, "text/html; echo=" + auth))
            fault(provider=provider, kind="echo_auth", where="name")
            keys = self.get(provider).json[self.ARRAY[provider]]
            self.assertIn(auth, keys[0][self.NAME[provider]])
            self.assertNotIn(auth, keys[1][self.NAME[provider]])
            fault(provider=provider, kind="echo_auth", where="location")
            reply = self.get(provider)
            self.assertEqual(reply.status, 302)
            self.assertTrue(reply.headers["Location"].startswith("http://127.0.0.1:9/echo?auth="))
            self.assertIn(auth.split(" ")[1], reply.headers["Location"])

    def test_echo_auth_straddling_the_excerpt_cut(self):
        auth = FAL["Authorization"]
        fault(provider="fal", kind="echo_auth", where="excerpt_cut")
        reply = self.get("fal")
        self.assertEqual((reply.status, reply.headers["Content-Type"]), (500, "text/plain; charset=utf-8"))
        start = reply.raw.index(auth.encode())
        self.assertLess(start, 160)
        self.assertGreater(start + len(auth), 160)
        fault(provider="fal", kind="echo_auth", where="excerpt_cut", offset=7, status=200)
        reply = self.get("fal")
        self.assertEqual((reply.status, reply.raw.index(auth.encode())), (200, 7))

    def test_echo_auth_in_the_next_position(self):
        fault(provider="fal", kind="echo_auth", where="next_cursor")
        body = self.get("fal").json
        self.assertIn(FAL["Authorization"], body["next_cursor"])
        self.assertTrue(body["has_more"])
        fault(provider="cartesia", kind="echo_auth", where="next_cursor")
        body = self.get("cartesia").json
        self.assertIn(CAR["Authorization"], body["data"][-1]["id"])
        self.assertTrue(body["has_more"])

    def test_invalid_json_variants_are_what_lenient_decoders_accept(self):
        for provider in self.AUTH:
            for variant, marker in (("trailing_comma", b",]"), ("bad_escape", b"\\x41"),
                                    ("invalid_utf8", b"\xff"), ("lone_surrogate", b"\\ud800"),
                                    ("leading_zero", b":01,"), ("nan", b":NaN,"), ("control_char", b"\x1b[31m")):
                fault(provider=provider, kind="invalid_json", variant=variant)
                reply = self.get(provider)
                self.assertEqual(reply.status, 200)
                self.assertIn(marker, reply.raw, (provider, variant))
                with self.assertRaises(ValueError, msg=(provider, variant)):
                    strict_loads(reply.raw)
        # On a create the fault sits at the top level, and the key is still created.
        fault(provider="fal", kind="invalid_json", variant="trailing_comma")
        reply = call("POST", "/fal/v1/keys", FAL, {"alias": "broken answer"})
        self.assertEqual(reply.status, 201)
        self.assertTrue(reply.raw.endswith(b",}"))
        self.assertEqual(self.get("fal").json["keys"][0]["alias"], "broken answer")

    def test_control_secret_creates_the_key_and_spoils_its_secret(self):
        cases = (("fal", "/fal/v1/keys", {"alias": "spoilt"}, "key"),
                 ("px0", "/px0/v1/api-keys", {"name": "spoilt", "org_id": ORG}, "key"),
                 ("openrouter", "/openrouter/api/v1/keys", {"name": "spoilt"}, "key"))
        for provider, path, request, member in cases:
            for variant, check in (("escape", lambda s: "\x1b[31m" in s), ("newline", lambda s: "\n" in s),
                                   ("c1", lambda s: "\x9b" in s), ("bidi", lambda s: "\u202e" in s),
                                   ("space", lambda s: " " in s), ("long", lambda s: len(s) > 4096),
                                   ("empty", lambda s: s == "" or s.endswith(":"))):
                fault(provider=provider, kind="control_secret", variant=variant)
                reply = call("POST", path, self.AUTH[provider], request)
                self.assertEqual(reply.status, 201)
                self.assertTrue(check(reply.json[member]), (provider, variant, reply.raw))
                if provider == "fal":  # key_secret spoilt alike, and key is key_id:key_secret
                    self.assertTrue(check(reply.json["key_secret"]), (variant, reply.raw))
            self.assertEqual(self.get(provider).json[self.ARRAY[provider]][0][self.NAME[provider]], "spoilt")
        body = call("POST", "/fal/v1/keys", FAL, {"alias": "plain"}).json
        self.assertEqual(body["key"], body["key_id"] + ":" + body["key_secret"])

    def test_evil_names_raw_and_escaped(self):
        for escaped in (False, True):
            fault(provider="fal", kind="evil_names", escaped=escaped)
            reply = call("GET", "/fal/v1/keys?limit=20", FAL)
            names = [key["alias"] for key in reply.json["keys"]]
            self.assertEqual(names[:2], ["\x1b[31mred\x1b[0m alert", "bell\x07ring\x08\x08"])
            self.assertEqual(b"\\u001b[31m" in reply.raw, True)
            self.assertEqual(reply.raw.isascii(), escaped)
        fault(provider="openrouter", kind="evil_names")
        names = [key["name"] for key in self.get("openrouter").json["data"]]
        self.assertIn("\u202egnp.exe", names)
        self.assertIn("line\u2028sep\u2029para", names)

    def test_bad_dates(self):
        fault(provider="cartesia", kind="bad_dates")
        dates = [key["created_at"] for key in self.get("cartesia").json["data"]]
        self.assertEqual(dates, ["99999-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00"])
        fault(provider="openrouter", kind="bad_dates")
        reply = call("POST", "/openrouter/api/v1/keys", OR, {"name": "dated"})
        self.assertEqual((reply.status, reply.json["data"]["created_at"]), (201, "99999-01-01T00:00:00Z"))
        fault(provider="px0", kind="bad_dates")
        reply = call("POST", "/px0/v1/api-keys", PX0, {"name": "dated", "org_id": ORG})
        self.assertEqual((reply.status, reply.json["created_at"]), (201, "99999-01-01T00:00:00Z"))

    def test_invalid_hostile_rules(self):
        for spec in ({"provider": "fal", "kind": "echo_auth", "where": "nowhere"},
                     {"provider": "fal", "kind": "echo_auth", "offset": -1},
                     {"provider": "fal", "kind": "echo_auth", "status": 700},
                     {"provider": "fal", "kind": "invalid_json", "variant": "comment"},
                     {"provider": "fal", "kind": "control_secret", "variant": "trailing_comma"},
                     {"provider": "fal", "kind": "evil_names", "escaped": "yes"},
                     {"provider": "fal", "kind": "drop", "where": "header"},
                     {"provider": "fal", "kind": "status", "status": 500, "variant": "nan"}):
            self.assertEqual(call("POST", "/_sim/faults", body=spec).status, 400, spec)
        self.assertEqual(call("GET", "/_sim/faults").json, [])


class LogAndStatsTests(SimTest):
    def test_log(self):
        created = [call("POST", "/fal/v1/keys", FAL, {"alias": "logged"}).json["key"],
                   call("POST", "/px0/v1/api-keys", PX0, {"name": "n", "org_id": ORG}).json["key"],
                   call("POST", "/openrouter/api/v1/keys", OR, {"name": "n"}).json["key"]]
        call("GET", "/cartesia/api-keys?limit=2&q=a", CAR)
        entries = log()
        self.assertEqual([e["seq"] for e in entries], sorted(e["seq"] for e in entries))
        self.assertEqual([(e["provider"], e["method"], e["path"], e["status"]) for e in entries],
                         [("fal", "POST", "/keys", 201), ("px0", "POST", "/v1/api-keys", 201),
                          ("openrouter", "POST", "/keys", 201), ("cartesia", "GET", "/api-keys", 200)])
        self.assertEqual(entries[0]["headers"]["Authorization"], "Key [REDACTED]")
        self.assertEqual(entries[3]["headers"]["Authorization"], "Bearer [REDACTED]")
        self.assertEqual(entries[3]["query"], {"limit": ["2"], "q": ["a"]})
        self.assertEqual(json.loads(entries[0]["body"]), {"alias": "logged"})
        self.assertIsNone(entries[3]["body"])
        self.assertIsInstance(entries[0]["connection"], int)
        text = call("GET", "/_sim/log").raw.decode()
        for secret in created + ["sim-fal-admin-secret", "sess_sim_admin", "sk_car_admin_sim", "sk-or-v1-mgmt-sim"]:
            self.assertNotIn(secret.split(":")[-1], text)
        self.assertEqual(call("DELETE", "/_sim/log").status, 204)
        self.assertEqual(log(), [])

    def test_log_keeps_the_path_as_sent(self):
        """keyctl's tests check how an id was encoded in the path, which `path` (decoded) hides."""
        self.assertEqual(call("GET", "/openrouter/api/v1/keys/a%2Fb%3Fc", OR).status, 404)
        self.assertEqual(call("GET", "/cartesia/api-keys/key_x", CAR).status, 404)
        entries = log()
        self.assertEqual([(e["path"], e["raw_path"]) for e in entries],
                         [("/keys/a/b?c", "/keys/a%2Fb%3Fc"), ("/api-keys/key_x", "/api-keys/key_x")])

    def test_keep_alive_counts_one_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", SIM.port, timeout=10)
        before = call("GET", "/_sim/stats", conn=conn).json
        for _ in range(3):
            self.assertEqual(call("GET", "/fal/v1/keys", FAL, conn=conn).status, 200)
        after = call("GET", "/_sim/stats", conn=conn).json
        conn.close()
        self.assertEqual(after["connections"], before["connections"])
        self.assertEqual(after["by_provider"]["fal"], {"requests": 3, "connections": 1, "max_in_flight": 1})
        self.assertEqual(after["requests"], 3)
        self.assertEqual(len({e["connection"] for e in log()}), 1)
        call("GET", "/fal/v1/keys", FAL)
        stats = call("GET", "/_sim/stats").json
        self.assertEqual(stats["by_provider"]["fal"], {"requests": 4, "connections": 2, "max_in_flight": 1})
        self.assertEqual(stats["by_provider"]["px0"], {"requests": 0, "connections": 0, "max_in_flight": 0})

    def test_max_in_flight_counts_requests_at_once(self):
        """Concurrent clients (keyctl's paging window) are checked against this."""
        fault(provider="openrouter", kind="delay", delay_ms=300, times=-1)
        threads = [threading.Thread(target=call, args=("GET", f"/openrouter/api/v1/keys?offset={n * 100}", OR))
                   for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        call("GET", "/openrouter/api/v1/keys", OR)  # alone: the peak stays 3
        stats = call("GET", "/_sim/stats").json["by_provider"]["openrouter"]
        self.assertEqual(stats, {"requests": 4, "connections": 4, "max_in_flight": 3})
        self.assertEqual(call("POST", "/_sim/reset").status, 204)
        self.assertEqual(call("GET", "/_sim/stats").json["by_provider"]["openrouter"]["max_in_flight"], 0)

    def test_reset_restores_everything(self):
        call("POST", "/fal/v1/keys", FAL, {"alias": "gone after reset"})
        fault(provider="fal", kind="status", status=500, times=-1)
        self.assertEqual(call("POST", "/_sim/reset").status, 204)
        self.assertEqual(call("GET", "/_sim/faults").json, [])
        self.assertEqual(log(), [])
        keys = fal_all(limit=100)[0]
        self.assertEqual(len(keys), 250)
        self.assertEqual(call("GET", "/_sim/stats").json["requests"], 3)

    def test_unknown_routes(self):
        self.assertEqual(call("GET", "/nowhere").status, 404)
        self.assertEqual(call("GET", "/_sim/nothing").status, 404)
        self.assertEqual(call("PUT", "/_sim/stats").status, 405)


class OwnServerTests(unittest.TestCase):
    """Tests that need a simulator of their own: seeds, counts, delays."""

    PATHS = [("/fal/v1/keys?limit=100&expand=creator_info", FAL), ("/fal/v1/keys?limit=100&cursor=Mw==", FAL),
             (f"/px0/v1/api-keys?org_id={ORG}", PX0), ("/cartesia/api-keys?limit=100", CAR),
             ("/openrouter/api/v1/keys?offset=100&include_disabled=true&include_expired=true", OR),
             (f"/openrouter/api/v1/keys?workspace_id={WS_OTHER}", OR)]

    def bodies(self, seed):
        running = server.start(server.Config(seed=seed))
        try:
            return [call("GET", path, headers, port=running.port).raw for path, headers in self.PATHS]
        finally:
            running.stop()

    def test_same_seed_same_bytes(self):
        first, second, other = self.bodies(7), self.bodies(7), self.bodies(8)
        self.assertEqual(first, second)
        for a, b in zip(first, other):
            self.assertNotEqual(a, b)

    def test_configured_delay_and_jitter(self):
        running = server.start(server.Config(delay_ms=150, jitter_ms=50))
        try:
            started = time.monotonic()
            call("GET", "/_sim/stats", port=running.port)  # control requests are not delayed
            self.assertLess(time.monotonic() - started, 0.15)
            for _ in range(2):
                started = time.monotonic()
                self.assertEqual(call("GET", "/fal/v1/keys", FAL, port=running.port).status, 200)
                self.assertGreaterEqual(time.monotonic() - started, 0.15)
                self.assertLess(time.monotonic() - started, 1.0)
        finally:
            running.stop()

    def test_hundred_thousand_keys(self):
        started = time.monotonic()
        running = server.start(server.Config(counts={"fal": 100_000}))
        try:
            self.assertLess(time.monotonic() - started, 3)
            cursor = base64.b64encode(b"1000").decode()
            page = call("GET", f"/fal/v1/keys?limit=100&cursor={cursor}", FAL, port=running.port).json
            self.assertEqual((len(page["keys"]), page["has_more"], page["next_cursor"]), (100, False, None))
            first = call("GET", "/fal/v1/keys?limit=100", FAL, port=running.port).json
            self.assertEqual(first["next_cursor"], "Mg==")
        finally:
            running.stop()


def raw_response(path, headers, port=None, read=None):
    """(response, body bytes) without decoding anything; `read` caps what is read."""
    conn = http.client.HTTPConnection("127.0.0.1", port or SIM.port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read(read) if read is not None else response.read()
    conn.close()
    return response, body


class BodyFaultTests(SimTest):
    """The unbounded and slow bodies keyctl must survive with bounded memory and time."""

    def test_huge_declares_and_sends_its_size(self):
        fault(provider="fal", kind="huge", size=3 << 20)
        response, body = raw_response("/fal/v1/keys", FAL)
        self.assertEqual((response.status, response.headers["Content-Length"]), (200, str(3 << 20)))
        self.assertEqual(body, b" " * (3 << 20))
        fault(provider="fal", kind="huge")  # the default: 2 GiB, of which a client reads what it wants
        response, body = raw_response("/fal/v1/keys", FAL, read=1 << 20)
        self.assertEqual(response.headers["Content-Length"], str(2 << 30))
        self.assertEqual(len(body), 1 << 20)
        self.assertEqual([e["status"] for e in log()][-2:], [200, 200])
        self.assertEqual(call("GET", "/fal/v1/keys", FAL).status, 200)  # the server is still well

    def test_endless_is_chunked_and_never_ends(self):
        fault(provider="cartesia", kind="endless")
        response, body = raw_response("/cartesia/api-keys", CAR, read=8 << 20)
        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers["Transfer-Encoding"], "chunked")
        self.assertIsNone(response.headers["Content-Length"])
        self.assertEqual(body, b" " * (8 << 20))

    def test_trickle_sends_the_normal_answer_slowly(self):
        normal = call("GET", "/fal/v1/keys?limit=1", FAL).json
        fault(provider="fal", kind="trickle", interval_ms=20)
        started = time.monotonic()
        response, body = raw_response("/fal/v1/keys?limit=1", FAL)
        elapsed = time.monotonic() - started
        self.assertEqual(response.status, 200)
        self.assertEqual(json.loads(body), normal)
        self.assertGreaterEqual(elapsed, (len(body) - 1) * 0.02)

    def test_trickle_stops_when_the_client_hangs_up(self):
        fault(provider="fal", kind="trickle", interval_ms=50, times=-1)
        response, body = raw_response("/fal/v1/keys", FAL, read=2)
        self.assertEqual(body, b'{"')
        # The handler thread notices the closed connection and the server goes on serving.
        self.assertEqual(call("GET", "/_sim/stats").status, 200)

    def test_gzip_bomb_is_small_on_the_wire_and_inflates_to_its_size(self):
        fault(provider="openrouter", kind="gzip_bomb", size=24 << 20)
        response, body = raw_response("/openrouter/api/v1/keys", OR)
        self.assertEqual(response.headers["Content-Encoding"], "gzip")
        self.assertEqual(int(response.headers["Content-Length"]), len(body))
        self.assertLess(len(body), (24 << 20) // 500)
        self.assertEqual(gzip.decompress(body), b"\0" * (24 << 20))
        fault(provider="openrouter", kind="gzip_bomb")  # the default: 4 GiB in about 4 MB
        response, body = raw_response("/openrouter/api/v1/keys", OR, read=1 << 20)
        self.assertLess(int(response.headers["Content-Length"]), 5_000_000)
        self.assertGreater(int(response.headers["Content-Length"]), 4_000_000)
        inflated = zlib.decompressobj(31).decompress(body)
        self.assertEqual(inflated, b"\0" * len(inflated))
        self.assertGreater(len(inflated), 500 << 20)

    def test_body_kinds_take_a_status(self):
        fault(provider="fal", kind="huge", size=1000, status=302)
        response, body = raw_response("/fal/v1/keys", FAL)
        self.assertEqual((response.status, response.headers["Location"], len(body)), (302, None, 1000))
        fault(provider="fal", kind="gzip_bomb", size=1 << 20, status=503)
        response, body = raw_response("/fal/v1/keys", FAL)
        self.assertEqual(response.status, 503)
        self.assertEqual(len(gzip.decompress(body)), 1 << 20)
        self.assertEqual([e["status"] for e in log()][-2:], [302, 503])

    def test_invalid_body_rules(self):
        for spec in ({"provider": "fal", "kind": "huge", "size": 0},
                     {"provider": "fal", "kind": "gzip_bomb", "size": "1"},
                     {"provider": "fal", "kind": "trickle", "interval_ms": 0},
                     {"provider": "fal", "kind": "status", "status": 500, "size": 10},
                     {"provider": "fal", "kind": "huge", "interval_ms": 10},
                     {"provider": "fal", "kind": "endless", "status": 199},
                     {"provider": "fal", "kind": "gzip_bomb", "status": 600}):
            self.assertEqual(call("POST", "/_sim/faults", body=spec).status, 400, spec)


class RedirectOnPostTests(SimTest):
    """A redirect rule answers a create in place of the provider: nothing is created."""

    def test_post_gets_the_redirect_and_creates_nothing(self):
        before = len(fal_all()[0])
        for status in (302, 307, 308):
            fault(provider="fal", method="POST", kind="redirect", status=status,
                  location=f"{SIM.url}/fal/v1/keys")
            reply = call("POST", "/fal/v1/keys", FAL, body={"alias": "ci"})
            self.assertEqual((reply.status, reply.headers["Location"], reply.raw),
                             (status, f"{SIM.url}/fal/v1/keys", b""))
        self.assertEqual(len(fal_all()[0]), before)
        posts = [e for e in log() if e["method"] == "POST"]
        self.assertEqual([e["status"] for e in posts], [302, 307, 308])


class BindTests(unittest.TestCase):
    """--bind: the same simulator on ::1 (and 127.0.0.1), one port, one state."""

    def test_ipv6_loopback_and_both_addresses_share_state(self):
        running = server.start(server.Config(hosts=["::1"]))
        try:
            self.assertEqual(running.url, f"http://[::1]:{running.port}")
            conn = http.client.HTTPConnection("::1", running.port, timeout=10)
            conn.request("GET", "/fal/v1/keys", headers=FAL)
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()
            with self.assertRaises(ConnectionError):
                call("GET", "/_sim/stats", port=running.port)  # not on 127.0.0.1
        finally:
            running.stop()
        running = server.start(server.Config(hosts=["127.0.0.1", "::1"]))
        try:
            conn = http.client.HTTPConnection("::1", running.port, timeout=10)
            conn.request("GET", "/px0/v1/api-keys?org_id=" + ORG, headers=PX0)
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()
            entries = call("GET", "/_sim/log", port=running.port).json
            self.assertEqual([(e["provider"], e["status"]) for e in entries], [("px0", 200)])
        finally:
            running.stop()


class CommandLineTests(unittest.TestCase):
    def test_run_port_file_fault_and_sigterm(self):
        with tempfile.TemporaryDirectory() as tmp:
            port_file = os.path.join(tmp, "port")
            spec = json.dumps({"provider": "fal", "kind": "status", "status": 429, "retry_after": "1"})
            proc = subprocess.Popen([sys.executable, HERE, "--port-file", port_file, "--fal-keys", "5",
                                     "--fault", spec], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                line = proc.stdout.readline()
                match = re.fullmatch(r"keyctl-sim listening on http://127\.0\.0\.1:(\d+)\n", line)
                self.assertIsNotNone(match, line)
                port = int(match.group(1))
                with open(port_file) as f:
                    self.assertEqual(int(f.read()), port)
                self.assertEqual(call("GET", "/fal/v1/keys", FAL, port=port).status, 429)
                self.assertEqual(len(call("GET", "/fal/v1/keys", FAL, port=port).json["keys"]), 5)
            finally:
                proc.send_signal(signal.SIGTERM)
                out, err = proc.communicate(timeout=10)
            self.assertEqual((proc.returncode, out, err), (0, "", ""))

    def test_help_and_bad_fault(self):
        result = subprocess.run([sys.executable, HERE, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 0)
        for text in ("sim_fal_admin:sim-fal-admin-secret", "sess_sim_admin", "sk_car_admin_sim",
                     "sk-or-v1-mgmt-sim", "/_sim/faults", "/openrouter/api/v1", ORG, WS_OTHER):
            self.assertIn(text, result.stdout)
        result = subprocess.run([sys.executable, HERE, "--fault", '{"kind": "boom"}'],
                                capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 2)
        self.assertIn("invalid fault", result.stderr)


if __name__ == "__main__":
    unittest.main()
