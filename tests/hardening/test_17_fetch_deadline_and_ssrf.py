"""Issue 25, item 6 and a Low item: one deadline for the whole fetch; IPv4 hidden in IPv6 is judged.

Item 6: the total deadline (``FEED_DEADLINE_SECONDS``) was checked only between reads of the body,
so a server dripping its status line, a header or a chunk-size line one byte at a time ran for
200 s against a 20 s deadline. The servers here are real, on 127.0.0.1, and drip exactly those.

Low item: NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002::/16) addresses carry an IPv4
address that the network delivers to; the SSRF check judged only the IPv6 address. The resolver
is stubbed, as in ``test_06_ssrf.py``: no packet leaves loopback.
"""

import socket
import threading
import time

import pytest

from commonground.feeds import fetch
from commonground.feeds.errors import FeedError
from commonground.feeds.importing import import_location

DEADLINE = 1.0
SILENCE = 5.0  # the per-read timeout: never reached, as the drips below are never silent that long
DRIP = 0.05  # seconds between bytes: a 400-byte drip lasts 20 s


class DripServer:
    """A TCP server on 127.0.0.1 that answers every connection with ``script``: a list of
    (bytes, seconds to wait before each of its bytes). It reads the request first."""

    def __init__(self, script, tls=None):
        self.script, self.tls = script, tls
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            try:
                if self.tls is not None:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                request = b""
                while b"\r\n\r\n" not in request:
                    data = conn.recv(4096)
                    if not data:
                        return
                    request += data
                for part, wait in self.script:
                    if not wait:
                        conn.sendall(part)
                        continue
                    for i in range(len(part)):
                        if self.stopped.is_set():
                            return
                        time.sleep(wait)
                        conn.sendall(part[i : i + 1])
            except OSError:
                return

    def close(self):
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def drip_server(settings):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True  # loopback is a private address
    servers = []

    def start(script, tls=None):
        server = DripServer(script, tls)
        servers.append(server)
        return f"{'https' if tls else 'http'}://127.0.0.1:{server.port}"

    yield start
    for server in servers:
        server.close()


def fetch_fails_by_the_deadline(url):
    started = time.monotonic()
    with pytest.raises(FeedError) as failure:
        fetch.open_body(url, timeout=SILENCE, deadline=DEADLINE)
    elapsed = time.monotonic() - started
    assert failure.value.code == "timeout", failure.value.message
    assert "FEED_DEADLINE_SECONDS" in failure.value.message
    assert elapsed < DEADLINE + 1.0, f"the fetch took {elapsed:.1f} s against a {DEADLINE:g} s deadline"
    return elapsed


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


@pytest.mark.slow
def test_item25_6_a_dripped_status_line_meets_the_deadline(drip_server):
    url = drip_server([(b"HTTP/1.1 200 " + b"O" * 400 + b"\r\n\r\n[]", DRIP)])
    fetch_fails_by_the_deadline(url + "/feed.json")


@pytest.mark.slow
def test_item25_6_a_dripped_header_meets_the_deadline(drip_server):
    url = drip_server([(HEAD, 0), (b"X-Slow: " + b"a" * 400 + b"\r\n", DRIP), (b"Content-Length: 2\r\n\r\n[]", 0)])
    fetch_fails_by_the_deadline(url + "/feed.json")


@pytest.mark.slow
def test_item25_6_a_dripped_chunk_size_line_meets_the_deadline(drip_server):
    url = drip_server(
        [(HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n", 0), (b"0;" + b"x" * 400 + b"\r\n\r\n", DRIP)]
    )
    fetch_fails_by_the_deadline(url + "/feed.json")


@pytest.mark.slow
def test_item25_6_redirects_share_one_deadline(drip_server):
    # Each hop answers after 0.4 s: under the silence timeout, but six of them are not under the deadline.
    url = drip_server([(b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n", 0.4 / 60)])
    fetch_fails_by_the_deadline(url + "/feed.json")


@pytest.mark.slow
def test_item25_6_a_tls_handshake_that_never_ends_meets_the_deadline(drip_server):
    # The server drips the first byte of a TLS record, again and again: the handshake never ends.
    url = drip_server([(b"\x16" * 400, DRIP)]).replace("http://", "https://")
    fetch_fails_by_the_deadline(url + "/feed.json")


@pytest.fixture
def tls_for_loopback(tmp_path, monkeypatch):
    """A certificate for 127.0.0.1 that the fetcher trusts for this test: the server's context."""
    import datetime
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    monkeypatch.setattr(fetch, "tls_context", lambda: ssl.create_default_context(cafile=str(cert_path)))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_path, key_path)
    return server


@pytest.mark.slow
def test_item25_6_over_tls_a_feed_is_read_and_a_drip_meets_the_deadline(drip_server, tls_for_loopback):
    body = b"[" + b" " * 200_000 + b"]"
    url = drip_server([(HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body, 0)], tls=tls_for_loopback)
    assert fetch.read_bytes(url + "/feed.json", timeout=SILENCE, deadline=DEADLINE) == body
    url = drip_server([(HEAD, 0), (b"X-Slow: " + b"a" * 400 + b"\r\n", DRIP)], tls=tls_for_loopback)
    fetch_fails_by_the_deadline(url + "/feed.json")


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_6_an_import_from_a_dripping_server_fails_cleanly(drip_server, settings):
    settings.FEED_TIMEOUT_SECONDS = SILENCE
    settings.FEED_DEADLINE_SECONDS = DEADLINE
    url = drip_server([(b"HTTP/1.1 200 " + b"O" * 400 + b"\r\n\r\n[]", DRIP)])
    started = time.monotonic()
    report = import_location(url + "/feed.json", format="meeting-guide")
    assert report.failed and report.errors[0]["code"] == "timeout"
    assert "FEED_DEADLINE_SECONDS" in report.errors[0]["message"]
    assert time.monotonic() - started < DEADLINE + 1.5


# --- IPv4 addresses inside IPv6 ---------------------------------------------------------------


@pytest.fixture
def network(monkeypatch):
    """A stub resolver (name -> address) and a record of every connection attempt."""
    state = {"connected": [], "names": {}}

    def resolve(host, port):
        return [state["names"].get(host, host)]

    def connect(address, *args, **kwargs):
        state["connected"].append(address[0])
        raise AssertionError(f"a connection to {address[0]} was attempted")

    monkeypatch.setattr(fetch, "resolve", resolve)
    monkeypatch.setattr(fetch.socket, "create_connection", connect)
    return state


EMBEDDED_PRIVATE = [
    ("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254 (cloud metadata)"),
    ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1"),
    ("64:ff9b::a00:1", "NAT64 of 10.0.0.1"),
    ("64:ff9b:1::a00:1", "local-use NAT64 of 10.0.0.1"),
    ("64:ff9b:1:ffff::808:808", "local-use NAT64 prefix: never a public address"),
    ("2002:a9fe:a9fe::1", "6to4 of 169.254.169.254"),
    ("2002:c0a8:101::", "6to4 of 192.168.1.1"),
    ("2002:7f00:1::1", "6to4 of 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    ("2001:0:53aa:64c:0:fbff:5601:fefe", "Teredo, client 169.254.1.1 (obfuscated)"),
    ("::ffff:0:a9fe:a9fe", "IPv4-translated 169.254.169.254"),
    ("::a9fe:a9fe", "IPv4-compatible 169.254.169.254"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("address, what", EMBEDDED_PRIVATE)
def test_item25_low_nat64_and_6to4_addresses_are_judged_by_their_ipv4(network, settings, address, what):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    network["names"]["feeds.example"] = address
    report = import_location("http://feeds.example/feed.json", format="meeting-guide")
    assert report.failed and report.errors[0]["code"] == "address", what
    assert network["connected"] == [], "refused before any packet"


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111", "8.8.8.8"])
def test_item25_low_public_addresses_behind_nat64_and_6to4_are_allowed(settings, address):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    # A DNS64 network answers 64:ff9b::<IPv4> for every IPv4-only site: those must stay readable.
    assert fetch.address_allowed(address)
