"""A throwaway certificate authority (trustme) and a server certificate for the loopback address."""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme

SERVER_NAMES = ("127.0.0.1", "localhost", "::1")


class TestCA:
    """A CA made for this test run, and one server certificate it signed for 127.0.0.1/localhost.

    `folder` receives the PEM files for servers that read files (Dovecot) and for clients:
    `ca_path` (the CA certificate), `cert_path` (server certificate chain), `key_path`.
    """

    __test__ = False  # not a test class, whatever its name

    def __init__(self, folder: Path) -> None:
        self.ca = trustme.CA(organization_name="disclosure-xlsx tests")
        self.server_cert = self.ca.issue_cert(*SERVER_NAMES)
        folder.mkdir(parents=True, exist_ok=True)
        self.ca_path = folder / "ca.pem"
        self.cert_path = folder / "server-chain.pem"
        self.key_path = folder / "server-key.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        self.server_cert.private_key_pem.write_to_path(str(self.key_path))
        with self.cert_path.open("wb") as f:
            for blob in self.server_cert.cert_chain_pems:
                f.write(blob.bytes())
        self.key_path.chmod(0o644)  # read by servers that drop root (Dovecot's config process)

    @property
    def ca_pem(self) -> bytes:
        return self.ca.cert_pem.bytes()

    def client_context(self) -> ssl.SSLContext:
        """A client context that verifies servers (and their host name) against this CA only."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the certificate and host name
        self.ca.configure_trust(ctx)
        return ctx

    def server_context(self) -> ssl.SSLContext:
        """A server context presenting the certificate for 127.0.0.1/localhost."""
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.server_cert.configure_cert(ctx)
        return ctx
