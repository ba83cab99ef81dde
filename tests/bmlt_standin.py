"""A stand-in BMLT root server on 127.0.0.1 for tests: it filters and pages like a real one.

It answers ``client_interface/json/`` with GetSearchResults (``services[]`` exact, or with
children when ``recursive=1``; ``sort_keys=id_bigint``; ``page_size`` and ``page_num`` unless
``pages=False``, as an old server ignores them), GetFormats and GetServiceBodies. ``max_results`` makes it refuse
an answer larger than that, as a big server does when asked for everything at once (it times
out or runs out of memory). ``fail_services`` makes one page fail.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class StandInBMLT:
    def __init__(
        self,
        meetings: list[dict],
        formats: list[dict],
        bodies: list[dict],
        *,
        max_results: int | None = None,
        fail_services: tuple[str, ...] = (),
        pages: bool = True,
    ):
        self.meetings, self.formats, self.bodies = meetings, formats, bodies
        self.max_results, self.fail_services = max_results, set(fail_services)
        self.pages = pages  # False: an old server that ignores page_size and page_num
        self.hits: list[dict] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                status, body = standin.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/main_server/"
        # close() waits for serve_forever's next poll: every 0.05 s, not the default 0.5 s.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _children(self, ids: set[str]) -> set[str]:
        found = set(ids)
        while True:
            more = {str(b["id"]) for b in self.bodies if str(b.get("parent_id")) in found} - found
            if not more:
                return found
            found |= more

    def answer(self, path: str) -> tuple[int, bytes]:
        parts = urlsplit(path)
        if not parts.path.startswith("/main_server/client_interface/json"):
            return 404, b'{"error": "not found"}'
        query = parse_qs(parts.query)
        switcher = (query.get("switcher") or [""])[0]
        self.hits.append(
            {
                "switcher": switcher,
                "services": query.get("services[]", []),
                "page": (query.get("page_num") or [""])[0],
                "sort": (query.get("sort_keys") or [""])[0],
                "calling_app": (query.get("callingApp") or [""])[0],
            }
        )
        if switcher == "GetFormats":
            return 200, json.dumps(self.formats).encode()
        if switcher == "GetServiceBodies":
            return 200, json.dumps(self.bodies).encode()
        if switcher != "GetSearchResults":
            return 400, b'{"error": "unknown switcher"}'
        services = set(query.get("services[]", []))
        if services & self.fail_services:
            return 500, b"<html>Internal Server Error</html>"
        if services and query.get("recursive") == ["1"]:
            services = self._children(services)
        rows = [m for m in self.meetings if not services or m["service_body_bigint"] in services]
        if query.get("sort_keys") == ["id_bigint"]:
            rows.sort(key=lambda m: int(m["id_bigint"]))
        size, number = (query.get("page_size") or [""])[0], (query.get("page_num") or ["1"])[0]
        if self.pages and size.isdigit() and number.isdigit():
            start = (int(number) - 1) * int(size)
            rows = rows[start : start + int(size)]
        if self.max_results is not None and len(rows) > self.max_results:
            return 503, b"<html>The server took too long to answer.</html>"
        return 200, json.dumps(rows).encode()
