"""The HTTP side: one ThreadingHTTPServer on 127.0.0.1 that plays all four providers
(or one per address given with --bind, all on the same port and sharing one state).

Why one server with path prefixes: keyctl takes a base URL per provider, so
pointing each at http://127.0.0.1:PORT/<prefix> exercises the real HTTP stack
(keep-alive, status codes, headers, broken connections) without the internet.

  /fal/v1             fal          (fal.py)
  /px0                px0          (px0.py)
  /cartesia           Cartesia     (cartesia.py)
  /openrouter/api/v1  OpenRouter   (openrouter.py)
  /_sim/...           control API  (control.py)

HTTP/1.1 with keep-alive; every response has a Content-Length except 204 (RFC
9110 forbids one there, and the status alone says there is no body). Each
provider request is counted per TCP connection, may be hit by a fault rule or
the configured delay, and is appended to the request log (Authorization
redacted; response bodies, and so created secrets, are never logged). The
provider objects are not thread-safe, so their answers are computed under one
lock; delays are slept outside it.

`start(Config(...))` runs the server in a background thread and is what both
__main__ and the self-tests use.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import control
from cartesia import Cartesia
from common import Request, Response, json_response
from fal import Fal
from faults import STREAMED, Faults, canned_response, gzip_bomb, transform_response
from openrouter import OpenRouter
from px0 import Px0

PROVIDER_CLASSES = (Fal, Px0, Cartesia, OpenRouter)
DEFAULT_COUNTS = {"fal": 250, "px0": 40, "cartesia": 230, "openrouter": 250}
LOG_LIMIT = 100_000  # oldest entries are dropped past this, so long benchmarks stay bounded


@dataclass
class Config:
    port: int = 0
    seed: int = 1
    counts: dict = field(default_factory=lambda: dict(DEFAULT_COUNTS))
    delay_ms: int = 0
    jitter_ms: int = 0
    verbose: bool = False
    faults: list = field(default_factory=list)  # rule specs, as for POST /_sim/faults
    hosts: list = field(default_factory=lambda: ["127.0.0.1"])  # addresses to listen on


class Simulator:
    """Providers, fault rules, request log and counters; every method is thread-safe."""

    def __init__(self, config: Config):
        self.config = config
        self._lock = threading.Lock()
        counts = {**DEFAULT_COUNTS, **config.counts}
        self.providers = {cls.name: cls(config.seed, counts[cls.name]) for cls in PROVIDER_CLASSES}
        self._faults = Faults()
        for spec in config.faults:
            self._faults.add(spec)
        self._jitter = random.Random(config.seed)
        self._seq = 0  # provider requests over the whole run; never reset
        self._connection_ids = itertools.count(1)  # never reset, so ids stay unique
        self._clear_records()

    def _clear_records(self) -> None:
        self._log: deque = deque(maxlen=LOG_LIMIT)
        self._connections = 0
        self._requests = 0
        # requests, connections used, requests in flight now, most in flight at once
        self._by_provider = {name: [0, set(), 0, 0] for name in self.providers}

    def route(self, path: str):
        """(provider, path after its prefix), or (None, None)."""
        for provider in self.providers.values():
            if path == provider.prefix or path.startswith(provider.prefix + "/"):
                return provider, path[len(provider.prefix):]
        return None, None

    # -- per connection / request --------------------------------------------

    def connection_opened(self) -> int:
        with self._lock:
            self._connections += 1
            return next(self._connection_ids)

    def begin(self, provider_name: str, method: str, path: str, connection: int):
        """Counts a provider request; returns (seq, the fault rule that answers it or None, delay in s)."""
        with self._lock:
            self._seq += 1
            self._requests += 1
            counters = self._by_provider[provider_name]
            counters[0] += 1
            counters[1].add(connection)
            counters[2] += 1
            counters[3] = max(counters[3], counters[2])
            rule = self._faults.match(provider_name, method, path)
            delay = self.config.delay_ms
            if self.config.jitter_ms:
                delay += self._jitter.randint(0, self.config.jitter_ms)
            if rule is not None and rule.kind == "delay":
                delay += rule.delay_ms
            return self._seq, rule, delay / 1000

    def end(self, provider_name: str) -> None:
        """A provider request counted by `begin` is over (answered, dropped or failed)."""
        with self._lock:
            counters = self._by_provider[provider_name]
            counters[2] = max(0, counters[2] - 1)

    def answer(self, provider, req: Request) -> Response:
        with self._lock:
            try:
                return provider.handle(req)
            except Exception as exc:  # a simulator bug: say so loudly, answer like the provider would
                traceback.print_exc(file=sys.stderr)
                return provider.error(req, 500, f"simulator error: {exc!r}")

    def record(self, entry: dict) -> None:
        with self._lock:
            self._log.append(entry)

    # -- control API -----------------------------------------------------------

    def add_fault(self, spec) -> int:
        with self._lock:
            return self._faults.add(spec).id

    def fault_rules(self) -> list:
        with self._lock:
            return self._faults.describe()

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def log_entries(self) -> list:
        with self._lock:
            return sorted(self._log, key=lambda e: e["seq"])

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def stats(self) -> dict:
        with self._lock:
            return {"connections": self._connections, "requests": self._requests,
                    "by_provider": {name: {"requests": n, "connections": len(conns),
                                           "max_in_flight": peak}
                                    for name, (n, conns, _, peak) in self._by_provider.items()}}

    def reset(self) -> None:
        with self._lock:
            for provider in self.providers.values():
                provider.reset()
            self._faults.clear()
            self._clear_records()


def redact_headers(headers) -> dict:
    out = {}
    for name, value in headers.items():
        if name.lower() == "authorization":
            scheme = value.split(" ", 1)[0] if " " in value.strip() else ""
            value = f"{scheme} [REDACTED]" if scheme else "[REDACTED]"
        out[name] = value
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "keyctl-sim/1"
    timeout = 300  # an idle keep-alive connection is closed after this many seconds
    disable_nagle_algorithm = True  # small responses must not wait for delayed ACKs

    server: "SimServer"

    def setup(self) -> None:
        super().setup()
        self.connection_id = self.server.sim.connection_opened()

    def version_string(self) -> str:
        return self.server_version

    def log_request(self, code="-", size="-") -> None:
        pass  # provider requests get one line of their own in _provider_request

    def log_message(self, format: str, *args) -> None:
        if self.server.sim.config.verbose:
            sys.stderr.write("keyctl-sim: %s\n" % (format % args))

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # -- dispatch -------------------------------------------------------------

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        try:
            body = self._read_body()
        except ValueError as exc:
            self.close_connection = True
            self._send(json_response(400, {"error": str(exc)}))
            return
        if url.path == "/_sim" or url.path.startswith("/_sim/"):
            response = control.handle(self.server.sim, self.command, url.path, body)
            self.log_message("control %s %s -> %d", self.command, url.path, response.status)
            self._send(response)
            return
        provider, subpath = self.server.sim.route(url.path)
        if provider is None:
            prefixes = [p.prefix for p in self.server.sim.providers.values()] + ["/_sim"]
            self._send(json_response(404, {"error": f"no simulated provider at {url.path}", "prefixes": prefixes}))
            return
        req = Request(self.command, unquote(subpath), parse_qs(url.query, keep_blank_values=True),
                      self.headers, body, raw_query=url.query, raw_path=subpath)
        self._provider_request(provider, req)

    def _provider_request(self, provider, req: Request) -> None:
        sim = self.server.sim
        seq, rule, delay = sim.begin(provider.name, req.method, req.path, self.connection_id)
        req.request_id = "req_" + hashlib.sha256(f"{sim.config.seed}:{seq}".encode()).hexdigest()[:24]
        entry = {"seq": seq, "provider": provider.name, "method": req.method, "path": req.path,
                 "raw_path": req.raw_path, "query": req.query, "headers": redact_headers(req.headers),
                 "body": req.body.decode("utf-8", errors="replace") if req.body else None,
                 "status": None, "connection": self.connection_id, "fault": rule.id if rule else None}
        started = time.monotonic()
        recorded = False
        try:
            if delay:
                time.sleep(delay)
            kind = rule.kind if rule else None
            if kind == "drop":
                self.close_connection = True
                return
            response = canned_response(rule, provider, req) if rule else None
            if response is None:
                req.stuck_cursor = kind == "stuck_cursor"
                req.empty_page = kind == "empty_pages"
                response = sim.answer(provider, req)
                if rule is not None:
                    response = transform_response(rule, provider, req, response)
            if kind == "truncated":
                entry["status"] = 200
            elif kind in STREAMED and kind != "trickle":
                entry["status"] = rule.status
            else:
                entry["status"] = response.status
            # Logged before the answer goes out, so a client that reads the log
            # right after its response always finds its own request there.
            sim.record(entry)
            recorded = True
            if kind == "truncated":
                self._send_truncated(response)
            elif kind in STREAMED:
                self._send_streamed(rule, response)
            else:
                self._send(response)
        finally:
            sim.end(provider.name)
            if not recorded:
                sim.record(entry)
            if sim.config.verbose:
                query = "?" + urlsplit(self.path).query if "?" in self.path else ""
                fault = f" fault={rule.id}:{rule.kind}" if rule else ""
                sys.stderr.write(f"keyctl-sim: #{seq} conn={self.connection_id} {provider.name} {req.method} "
                                 f"{req.path}{query} -> {entry['status']}{fault} "
                                 f"{(time.monotonic() - started) * 1000:.0f}ms\n")

    # -- I/O ------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise ValueError("invalid Content-Length")
        return self.rfile.read(int(length))

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        if response.status != 204:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body and self.command != "HEAD" and response.status != 204:
            self.wfile.write(response.body)

    def _send_head(self, status: int, headers, content_type: str | None, length: int | None) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if content_type:
            self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def _send_streamed(self, rule, response: Response) -> None:
        """The body kinds (faults.STREAMED): written as the client reads, until it hangs up.

        The connection is closed afterwards whatever happened: a client that
        gave up on the body must not find the rest of it in its next response."""
        self.close_connection = True
        chunk = b" " * (64 << 10)
        try:
            if rule.kind == "trickle":
                body = response.body
                self._send_head(response.status, response.headers, response.content_type, len(body))
                for index in range(len(body)):
                    self.wfile.write(body[index:index + 1])
                    time.sleep(rule.interval_ms / 1000)
            elif rule.kind == "huge":
                self._send_head(rule.status, [], "application/json", rule.size)
                left = rule.size
                while left > 0:
                    self.wfile.write(chunk[:left])
                    left -= len(chunk)
            elif rule.kind == "endless":
                self._send_head(rule.status, [("Transfer-Encoding", "chunked")], "application/json", None)
                framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
                while True:
                    self.wfile.write(framed)
            elif rule.kind == "gzip_bomb":
                length, pieces = gzip_bomb(rule.size)
                self._send_head(rule.status, [("Content-Encoding", "gzip")], "application/json", length)
                for piece in pieces:
                    self.wfile.write(piece)
        except OSError:
            pass  # the client hung up, as it should

    def _send_truncated(self, response: Response) -> None:
        """200 announcing the whole body, half of it sent, then the connection closed."""
        body = response.body or b'{"data": []}'
        self.send_response(200)
        self.send_header("Content-Type", response.content_type or "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.close_connection = True


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, sim: Simulator, host: str = "127.0.0.1", port: int | None = None):
        self.sim = sim
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, sim.config.port if port is None else port), Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the address up (getfqdn), which for ::1 can
        # wait on DNS; the name is only used in CGI variables, so skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def handle_error(self, request, client_address) -> None:
        # Clients hanging up mid-response is normal here (timeouts, fault tests).
        if self.sim.config.verbose:
            super().handle_error(request, client_address)


def url_host(host: str) -> str:
    """The host as written in a URL: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host


class Running:
    """A started simulator: its port and URL (of the first address), and stop()."""

    def __init__(self, servers: list, threads: list):
        self.servers, self.threads = servers, threads
        self.httpd, self.thread = servers[0], threads[0]
        self.sim = self.httpd.sim
        self.port = self.httpd.server_address[1]
        self.url = f"http://{url_host(self.httpd.server_address[0])}:{self.port}"

    def stop(self) -> None:
        for httpd in self.servers:
            httpd.shutdown()
            httpd.server_close()


def start(config: Config | None = None) -> Running:
    """Binds each of config.hosts on config.port (0 = a free port, the same one for
    every address) and serves each in a daemon thread."""
    config = config or Config()
    sim = Simulator(config)
    servers: list = []
    try:
        for host in config.hosts or ["127.0.0.1"]:
            servers.append(SimServer(sim, host, servers[0].server_address[1] if servers else None))
    except OSError:
        for httpd in servers:
            httpd.server_close()
        raise
    threads = []
    for httpd in servers:
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                  name="keyctl-sim", daemon=True)
        thread.start()
        threads.append(thread)
    return Running(servers, threads)
