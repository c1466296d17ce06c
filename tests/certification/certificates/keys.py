"""Signing keys made afresh for a test (a rotation, a second issuer)."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def new_pem():
    """A new Ed25519 private key in PKCS#8 PEM, as CREDENTIAL_SIGNING_KEY holds one."""
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
