"""Stand-in feed servers on 127.0.0.1 for the world-sync tests: each path answers as told.

A ``Route`` gives a status, a body, headers, a delay before answering and an ``ETag``; with an
ETag the server answers ``If-None-Match`` with 304, as a CDN does. The server keeps every
request (path and headers) and the most requests it ever had in flight at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b"[]"
    status: int = 200
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    etag: str = ""


class FeedServer:
    def __init__(self, routes: dict[str, Route] | None = None):
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: list[dict] = []
        self.in_flight = self.most_in_flight = 0
        self.guard = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                with standin.guard:
                    standin.in_flight += 1
                    standin.most_in_flight = max(standin.most_in_flight, standin.in_flight)
                    standin.hits.append({"path": self.path, "headers": dict(self.headers)})
                working = True
                try:
                    route = standin.routes.get(self.path.split("?")[0]) or Route(b"not here", 404, "text/plain")
                    if route.delay:
                        time.sleep(route.delay)
                    # A request stops counting once its answer starts: the client may read the whole
                    # answer and send its next request before this thread's `finally` runs, and
                    # counting until then would see two in flight where the client had one.
                    with standin.guard:
                        standin.in_flight -= 1
                        working = False
                    if route.etag and self.headers.get("If-None-Match") == route.etag:
                        self.send_response(304)
                        self.send_header("ETag", route.etag)
                        self.end_headers()
                        return
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(route.body)))
                    if route.etag:
                        self.send_header("ETag", route.etag)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its deadline): as a real server sees it
                finally:
                    if working:
                        with standin.guard:
                            standin.in_flight -= 1

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def paths(self) -> list[str]:
        return [hit["path"] for hit in self.hits]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """An address on loopback where nothing listens (a root that is down)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
