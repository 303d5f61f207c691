"""Test PKI and a loopback HTTPS server that requires a client certificate (Teller's mTLS)."""

from __future__ import annotations

import base64
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@attrs.frozen
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def _write_cert(path: Path, cert: x509.Certificate) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def issue(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_name: x509.Name,
    cn: str,
    key: ec.EllipticCurvePrivateKey,
    *,
    server: bool,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        ).add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
    else:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.OID_CLIENT_AUTH]), critical=False
        )
    return builder.sign(ca_key, hashes.SHA256())


def make_pki(directory: Path, *, client_not_after: datetime | None = None) -> Pki:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files."""
    now = datetime.now(UTC)
    ca_key = _key()
    ca_name = _name("Test Teller CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=2))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key, client_key = _key(), _key()
    server = issue(ca_key, ca_name, "127.0.0.1", server_key, server=True)
    client = issue(
        ca_key,
        ca_name,
        "fintech-teller-client",
        client_key,
        server=False,
        not_before=(client_not_after - timedelta(days=30)) if client_not_after else None,
        not_after=client_not_after,
    )
    directory.mkdir(parents=True, exist_ok=True)
    return Pki(
        ca=_write_cert(directory / "ca.pem", ca),
        server_cert=_write_cert(directory / "server.pem", server),
        server_key=_write_key(directory / "server-key.pem", server_key),
        client_cert=_write_cert(directory / "client.pem", client),
        client_key=_write_key(directory / "client-key.pem", client_key),
    )


def write_other_key(path: Path) -> Path:
    return _write_key(path, _key())


@attrs.frozen
class Recorded:
    status: int
    headers: dict[str, str]
    body: bytes


def load_http(path: Path) -> Recorded:
    """A recorded ``.http`` response: status line, headers, blank line, body."""
    head, _, body = path.read_bytes().replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = head.decode().splitlines()
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Recorded(status=status, headers=headers, body=body.strip())


def json_response(status: int, data: object, **headers: str) -> Recorded:
    return Recorded(
        status, {"content-type": "application/json", **headers}, json.dumps(data).encode()
    )


def _basic_user(headers: dict[str, str]) -> str | None:
    value = headers.get("Authorization") or headers.get("authorization") or ""
    scheme, _, encoded = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    return base64.b64decode(encoded).decode().partition(":")[0]


@attrs.define
class FakeTeller:
    """Routes by path; a list of responses is served in order (the last one repeats)."""

    routes: dict[str, Recorded | list[Recorded]] = attrs.field(factory=dict)
    paged: dict[str, list[dict[str, object]]] = attrs.field(factory=dict)
    requests: list[tuple[str, str, dict[str, str], str | None]] = attrs.field(factory=list)
    tokens: frozenset[str] | None = None  # when set, other Basic-auth usernames get 401

    def respond(
        self, method: str, target: str, headers: dict[str, str], peer: str | None
    ) -> Recorded:
        self.requests.append((method, target, headers, peer))
        if self.tokens is not None and _basic_user(headers) not in self.tokens:
            return json_response(401, {"error": {"code": "unauthorized", "message": "bad token"}})
        parts = urlsplit(target)
        if parts.path in self.paged:
            items = self.paged[parts.path]
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            start = 0
            if "from_id" in query:
                ids = [str(i["id"]) for i in items]
                start = ids.index(query["from_id"]) + 1
            count = int(query.get("count", len(items)))
            return json_response(200, items[start : start + count])
        found = self.routes.get(f"{method} {parts.path}") or self.routes.get(parts.path)
        if found is None:
            return json_response(404, {"error": {"code": "not_found", "message": "no route"}})
        if isinstance(found, list):
            return found.pop(0) if len(found) > 1 else found[0]
        return found


@contextmanager
def mtls_server(pki: Pki, fake: FakeTeller) -> Iterator[str]:
    """Serve ``fake`` on https://127.0.0.1:<port>, requiring a client certificate from the CA."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            peer = self.connection.getpeercert()  # type: ignore[attr-defined]
            subject = dict(x[0] for x in peer["subject"]).get("commonName") if peer else None
            answer = fake.respond(self.command, self.path, dict(self.headers.items()), subject)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                if name not in ("content-length", "date", "server", "connection"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = _serve  # noqa: N815 - http.server naming
        do_DELETE = _serve  # noqa: N815 - http.server naming

        def log_message(self, *args: object) -> None:
            return None

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_cert, pki.server_key)
    context.load_verify_locations(cafile=pki.ca)
    context.verify_mode = ssl.CERT_REQUIRED
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda *a: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
