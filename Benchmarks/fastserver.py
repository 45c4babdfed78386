"""A fast loopback server for fal's key list: pages answered from memory.

    python3 Benchmarks/fastserver.py --fal-keys 10000 --port-file FILE

Why: the bundled simulator (Scripts/simulator) builds each page per request,
logs it and runs fault rules, about 1.5 ms a page; against it every client's
time is mostly the server's, which hides the CPU keyctl spends per key and per
request. This server renders every page of 100 keys once at start-up, with the
simulator's own fal module (so the keys and the JSON are the same bytes), and
answers `GET /fal/v1/keys?limit=100[&cursor=C]` with one write of a
pre-rendered response: well under a millisecond.

HTTP/1.1 with keep-alive (ThreadingHTTPServer, one thread per connection).
Any other request, a wrong credential or an unknown cursor gets a 4xx with a
short JSON error, so a client that asks for something else fails loudly rather
than being timed on the wrong work. `GET /_stats` answers
{"requests": N, "connections": N} (list requests and TCP connections since the
last reset, the asking connection left out); `POST /_reset` zeroes them.

Prints `fastserver listening on http://127.0.0.1:PORT` and serves until
SIGTERM or SIGINT. Python standard library only.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Scripts", "simulator"))

import fal  # noqa: E402  (the simulator's fal: same seeded keys, same JSON)
from common import Request  # noqa: E402

PAGE = 100
PATH = fal.PREFIX + "/keys"
AUTH = "Key " + fal.ADMIN_KEY


def response(status: int, body: bytes, reason: str) -> bytes:
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("ascii") + body


def render_pages(seed: int, count: int) -> dict[str | None, bytes]:
    """Each page's whole HTTP response, by the `cursor` parameter that asks for it (None: page 1)."""
    provider = fal.Fal(seed, count)
    pages: dict[str | None, bytes] = {}
    cursor = None
    while True:
        query = {"limit": [str(PAGE)], **({"cursor": [cursor]} if cursor else {})}
        answer = provider.handle(Request("GET", "/keys", query, {"Authorization": AUTH}, b""))
        if answer.status != 200:
            raise SystemExit(f"fastserver: the simulator's fal answered {answer.status}")
        pages[cursor] = response(200, answer.body, "OK")
        following = fal.decode_cursor(cursor) + 1 if cursor else 2
        if following > (count + PAGE - 1) // PAGE:
            return pages
        cursor = fal.encode_cursor(following)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection for the whole listing
    disable_nagle_algorithm = True  # a small response must not wait for a delayed ACK
    server: "FastServer"

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1
            self.generation = self.server.generation

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/_stats":
            with self.server.lock:
                # The connection asking is not one of the client's (unless it was
                # opened before the last reset, and so not counted).
                asking = 1 if self.generation == self.server.generation else 0
                body = (f'{{"requests":{self.server.requests},'
                        f'"connections":{self.server.connections - asking}}}')
            self.wfile.write(response(200, body.encode(), "OK"))
            return
        query = dict(parse_qsl(url.query))
        page = self.server.pages.get(query.get("cursor")) if url.path == PATH else None
        if self.headers.get("Authorization") != AUTH:
            self.wfile.write(response(401, b'{"error":{"message":"Authentication required"}}',
                                      "Unauthorized"))
        elif page is None or query.get("limit") != str(PAGE) or len(query) > 2:
            self.wfile.write(response(400, b'{"error":{"message":"fastserver serves only '
                                      b'limit=100 list pages"}}', "Bad Request"))
        else:
            with self.server.lock:
                self.server.requests += 1
            self.wfile.write(page)

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/_reset":
            self.wfile.write(response(404, b'{"error":{"message":"not found"}}', "Not Found"))
            return
        with self.server.lock:
            self.server.requests = self.server.connections = 0
            self.server.generation += 1
        self.wfile.write(response(200, b"{}", "OK"))


class FastServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, pages: dict):
        super().__init__(address, Handler)
        self.pages = pages
        self.lock = threading.Lock()
        self.requests = 0
        self.connections = 0
        self.generation = 0  # counts resets: a connection opened before one is not counted


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 Benchmarks/fastserver.py", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = a free one)")
    parser.add_argument("--port-file", metavar="PATH", help="write the port number here once listening")
    parser.add_argument("--fal-keys", type=int, default=10000, metavar="N", help="seeded fal keys (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the keys, as the simulator's (default 1)")
    args = parser.parse_args(argv)
    pages = render_pages(args.seed, args.fal_keys)
    server = FastServer(("127.0.0.1", args.port), pages)
    port = server.server_address[1]
    if args.port_file:
        tmp = f"{args.port_file}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(f"fastserver listening on http://127.0.0.1:{port}", flush=True)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    while not stop.wait(1):
        pass
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
