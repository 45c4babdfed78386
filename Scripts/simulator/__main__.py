"""keyctl-sim: a loopback HTTP simulator of the fal, px0, Cartesia and OpenRouter key APIs.

Why: keyctl's adapters, paging, retries, redaction and exit codes need a real
HTTP peer that is fast, offline, deterministic and can misbehave on demand.
Run from the repository root:

    python3 Scripts/simulator --port-file /tmp/sim.port &

It prints one line, `keyctl-sim listening on http://127.0.0.1:PORT`, and serves
until SIGTERM or SIGINT (then exits 0). Python 3.11 standard library only.
The facts it follows are in shared/providers/PROVIDERS.md; the choices it makes
where those are silent are in each provider module's docstring.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

import server
from faults import FaultError, parse_rule

EPILOG = """\
provider base URLs (point keyctl's --base-url or KEYCTL_<NAME>_BASE_URL here):
  fal         http://127.0.0.1:PORT/fal/v1              GET/POST /keys, DELETE /keys/{id}
  px0         http://127.0.0.1:PORT/px0                 /v1/api-keys[/{id}[/regenerate]]
  cartesia    http://127.0.0.1:PORT/cartesia            GET /api-keys[/{id}]
  openrouter  http://127.0.0.1:PORT/openrouter/api/v1   /keys[/{hash}]

credentials:
  fal         Authorization: Key sim_fal_admin:sim-fal-admin-secret   (admin)
              Authorization: Key sim_fal_user:sim-fal-user-secret     (403 on key routes)
  px0         Authorization: Bearer sess_sim_admin                    (org admin)
              Authorization: Bearer sess_sim_member                   (403); Bearer ak_... -> 401
              org_id 7d2c3f1e-5b4a-4c8d-9e0f-1a2b3c4d5e6f
              teams  3f6b8a2c-1d4e-4f5a-8b9c-0d1e2f3a4b5c, 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d
                     (5e1f0a9b-2c3d-4e5f-a6b7-c8d9e0f1a2b3 belongs to another org -> 400)
  cartesia    Authorization: Bearer sk_car_admin_sim                  (admin)
              Authorization: Bearer sk_car_sim                        (403)
              and always Cartesia-Version: 2026-03-01                 (else 400)
  openrouter  Authorization: Bearer sk-or-v1-mgmt-sim                 (management)
              Authorization: Bearer sk-or-v1-user-sim                 (403 on all key routes)
              workspaces 0df9e665-d932-5740-b2c7-b52af166bc11 (default),
                         6c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f

control API (no auth):
  POST   /_sim/faults   {"provider": "fal|px0|cartesia|openrouter|*", "method"?, "path"?,
                         "after"?: 0, "times"?: 1 (-1 = forever), "kind": status|delay|
                         malformed|truncated|html|drop|stuck_cursor|echo_auth|redirect|
                         empty_pages|huge|endless|trickle|gzip_bomb|invalid_json|
                         control_secret|evil_names|bad_dates,
                         "status"?, "message"?, "retry_after"?, "retry_after_ms"?, "delay_ms"?,
                         "location"?, "keep_query"?, "size"?, "interval_ms"?, "where"?,
                         "offset"?, "variant"?, "escaped"?}
                         (faults.py and hostile.py describe every kind and field)
                         -> 201 {"id": N}
  GET    /_sim/faults   rules and how often they matched/fired;  DELETE clears them
  GET    /_sim/log      provider requests (Authorization redacted);  DELETE clears it
  GET    /_sim/stats    {"connections", "requests", "by_provider": {...}}
  POST   /_sim/reset    clear faults (--fault ones too), log, stats; restore the seeded keys

example:
  python3 Scripts/simulator --port-file /tmp/sim.port \\
      --fault '{"provider": "fal", "kind": "status", "status": 429, "retry_after": "1"}'
"""


def _fault(text: str) -> dict:
    try:
        spec = json.loads(text)
        parse_rule(spec, 0)
    except (ValueError, FaultError) as exc:
        raise argparse.ArgumentTypeError(f"invalid fault {text!r}: {exc}") from exc
    return spec


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def parse_args(argv: list[str]) -> tuple[server.Config, str | None]:
    parser = argparse.ArgumentParser(
        prog="python3 Scripts/simulator",
        description="Loopback HTTP simulator of the fal, px0, Cartesia and OpenRouter API-key APIs.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=_count, default=0, help="port to listen on (0 = a free one; default 0)")
    parser.add_argument("--bind", action="append", metavar="ADDRESS",
                        help="address to listen on, e.g. ::1 (repeatable, all on one port; "
                             "default 127.0.0.1)")
    parser.add_argument("--port-file", metavar="PATH", help="write the port number here once listening")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated keys (default 1)")
    for name, default in server.DEFAULT_COUNTS.items():
        parser.add_argument(f"--{name}-keys", type=_count, default=default, metavar="N",
                            help=f"seeded {name} keys (default {default})")
    parser.add_argument("--delay-ms", type=_count, default=0, metavar="N", help="added to every provider request")
    parser.add_argument("--jitter-ms", type=_count, default=0, metavar="N",
                        help="plus a seeded random 0..N ms per provider request")
    parser.add_argument("--fault", type=_fault, action="append", default=[], metavar="JSON",
                        help="a fault rule, as for POST /_sim/faults (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="one line per request on stderr")
    args = parser.parse_args(argv)
    config = server.Config(port=args.port, seed=args.seed, delay_ms=args.delay_ms, jitter_ms=args.jitter_ms,
                           verbose=args.verbose, faults=args.fault, hosts=args.bind or ["127.0.0.1"],
                           counts={name: getattr(args, f"{name}_keys") for name in server.DEFAULT_COUNTS})
    return config, args.port_file


def main(argv: list[str]) -> int:
    config, port_file = parse_args(argv)
    stop = threading.Event()
    # A parent may start us with SIGTERM/SIGINT blocked (a child inherits the signal
    # mask, and e.g. libdispatch threads block everything); unblock them or we never stop.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        running = server.start(config)
    except OSError as exc:
        hosts = ", ".join(config.hosts)
        print(f"keyctl-sim: cannot listen on {hosts} port {config.port}: {exc}", file=sys.stderr)
        return 1
    if port_file:
        tmp = f"{port_file}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{running.port}\n")
        os.replace(tmp, port_file)  # atomic: a script polling the file never reads half of it
    print(f"keyctl-sim listening on {running.url}", flush=True)
    while not stop.wait(1):
        pass
    running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
