"""Teller's mutual TLS: check the client certificate and key, build the SSL context."""

from __future__ import annotations

import ssl
from datetime import datetime

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import serialization

__all__ = [
    "TellerCertificate",
    "TellerCertificateError",
    "build_ssl_context",
    "inspect_certificate",
]


class TellerCertificateError(Exception):
    """The certificate or key is missing, unreadable, mismatched or outside its validity."""

    def __init__(self, variable: str, reason: str) -> None:
        self.variable = variable
        self.reason = reason
        super().__init__(f"{variable}: {reason}")


@attrs.frozen
class TellerCertificate:
    subject: str
    not_before: datetime
    not_after: datetime

    def days_left(self, now: datetime) -> int:
        return (self.not_after - now).days


def _read(path: str | None, variable: str) -> bytes:
    if not path:
        raise TellerCertificateError(variable, "not set")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise TellerCertificateError(variable, f"cannot read the file ({exc.strerror})") from None


def inspect_certificate(
    cert_path: str | None, key_path: str | None, now: datetime
) -> TellerCertificate:
    """Load both PEM files and check they match and that the certificate is valid at ``now``."""
    cert_name, key_name = "TELLER_CERTIFICATE_PATH", "TELLER_PRIVATE_KEY_PATH"
    try:
        cert = x509.load_pem_x509_certificate(_read(cert_path, cert_name))
    except ValueError:
        raise TellerCertificateError(cert_name, "is not a PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(_read(key_path, key_name), password=None)
    except (ValueError, TypeError):
        raise TellerCertificateError(key_name, "is not an unencrypted PEM private key") from None
    spki = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    if cert.public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
        raise TellerCertificateError(key_name, "does not match the certificate's public key")
    info = TellerCertificate(
        subject=cert.subject.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )
    if now >= info.not_after:
        raise TellerCertificateError(
            cert_name, f"the certificate expired on {info.not_after.date().isoformat()}"
        )
    if now < info.not_before:
        raise TellerCertificateError(
            cert_name, f"the certificate is not valid before {info.not_before.isoformat()}"
        )
    return info


def build_ssl_context(
    cert_path: str | None, key_path: str | None, ca_bundle: str | None
) -> ssl.SSLContext:
    """System CAs plus ``ca_bundle``; the client certificate when configured (sandbox has none)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    if cert_path and key_path:
        context.load_cert_chain(certfile=cert_path, keyfile=key_path)
    return context
