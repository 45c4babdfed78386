"""The control API under /_sim/ (no auth): what tests and scripts use to steer the simulator.

  POST   /_sim/faults   add a fault rule (see faults.py)   201 {"id": N}; 400 {"error"} when invalid
  GET    /_sim/faults   the rules, with how often each matched ("seen") and fired
  DELETE /_sim/faults   remove every rule                   204
  GET    /_sim/log      provider requests in order: [{seq, provider, method, path, raw_path,
                        query, headers (Authorization as "<scheme> [REDACTED]"), body, status,
                        connection, fault}]; path is percent-decoded, raw_path as sent;
                        status is null for a dropped request
  DELETE /_sim/log      empty the log                       204
  GET    /_sim/stats    {"connections", "requests", "by_provider": {name: {"requests", "connections",
                        "max_in_flight"}}} (max_in_flight: most requests of that provider at once)
  POST   /_sim/reset    faults (--fault ones too), log and stats cleared, seeded data restored
                        (created, edited and deleted keys back as seeded)   204
The log keeps the last 100,000 requests; `seq` and connection ids count on across
DELETE /_sim/log and resets, so they stay unique for the whole run.
"""

from __future__ import annotations

import json

from common import Response, json_response, no_content
from faults import FaultError

_ROUTES = {
    "/_sim/faults": ("GET", "POST", "DELETE"),
    "/_sim/log": ("GET", "DELETE"),
    "/_sim/stats": ("GET",),
    "/_sim/reset": ("POST",),
}


def handle(sim, method: str, path: str, body: bytes) -> Response:
    path = path.rstrip("/")
    if path not in _ROUTES:
        return json_response(404, {"error": f"unknown control route {path}",
                                   "routes": sorted(_ROUTES)})
    if method not in _ROUTES[path]:
        allowed = ", ".join(_ROUTES[path])
        return json_response(405, {"error": f"{method} not allowed on {path}"}, [("Allow", allowed)])

    if path == "/_sim/faults":
        if method == "GET":
            return json_response(200, sim.fault_rules())
        if method == "DELETE":
            sim.clear_faults()
            return no_content()
        try:
            spec = json.loads(body.decode("utf-8") or "null")
            return json_response(201, {"id": sim.add_fault(spec)})
        except (UnicodeDecodeError, ValueError) as exc:  # FaultError is a ValueError
            message = str(exc) if isinstance(exc, FaultError) else f"body is not JSON: {exc}"
            return json_response(400, {"error": message})
    if path == "/_sim/log":
        if method == "GET":
            return json_response(200, sim.log_entries())
        sim.clear_log()
        return no_content()
    if path == "/_sim/stats":
        return json_response(200, sim.stats())
    sim.reset()
    return no_content()
