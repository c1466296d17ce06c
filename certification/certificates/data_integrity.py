"""Certificates as VCDM 2.0 credentials with an embedded Data Integrity proof: the form wallets and
verifiers of the Digital Credentials Consortium stack (Learner Credential Wallet, VerifierPlus)
accept, next to the VC-JWT of credentials.py.

Follows W3C Verifiable Credential Data Integrity 1.0 and the `eddsa-rdfc-2022` cryptosuite of
Data Integrity EdDSA Cryptosuites v1.0: RDFC-1.0 canonical N-Quads (pyld's URDNA2015, the same
algorithm), SHA-256, Ed25519, proofValue in multibase base58-btc. The issuer is did:web (did.py).
"""

import base64
import copy
import hashlib
import json
from datetime import UTC, datetime

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.cache import cache
from pyld import jsonld

from ..models import Certificate
from . import credentials, status_list
from .contexts import document_loader
from .did import did_document, issuer_did, key_from_multibase, verification_method_id
from .keys import IssuerKey, current_key

OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"
MEDIA_TYPE = "application/vc+ld+json"  # Open Badges 3.0 §5.2 for credentials with embedded proofs
CACHE_SECONDS = 24 * 3600
# The registered claims a VC-JWT adds around the credential (OB 3.0 §8.2).
JWT_CLAIMS = {"iss", "jti", "sub", "nbf", "exp", "iat"}


class InvalidProof(Exception):
    """A credential whose Data Integrity proof is missing, malformed, or not made by our keys."""


def unsigned_credential(certificate: Certificate) -> dict:
    """The certificate's OpenBadgeCredential with the did:web DID as its issuer."""
    credential = credentials.build_credential(certificate)
    context = list(credential["@context"])
    if "credentialSchema" in credential and OB_EXTENSIONS_CONTEXT not in context:
        # Its type, 1EdTechJsonSchemaValidator2019, is defined only there: without it a
        # canonicalization drops the term, and safe-mode verifiers refuse the credential.
        context.insert(context.index(credentials.OB_CONTEXT) + 1, OB_EXTENSIONS_CONTEXT)
        credential["@context"] = context
    issuer = credential["issuer"]
    credential["issuer"] = (
        {**issuer, "id": issuer_did()} if isinstance(issuer, dict) else issuer_did()
    )
    return credential


def credential_with_proof(certificate: Certificate) -> dict:
    """The credential signed with the current key; the proof is cached, it costs a canonicalization.

    The proof's `created` is when the certificate was rendered, so the same key gives the same
    bytes on every download.
    """
    credential = unsigned_credential(certificate)
    key = current_key()
    created = certificate.rendered_at or certificate.issued_at
    fingerprint = hashlib.sha256(
        json.dumps(
            [credential, verification_method_id(key), key.public_bytes.hex(), timestamp(created)],
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
    ).hexdigest()
    cache_key = f"certification:data-integrity:{fingerprint}"
    proof = cache.get(cache_key)
    if proof is None:
        proof = add_proof(credential, key=key, created=created)["proof"]
        cache.set(cache_key, proof, CACHE_SECONDS)
    return {**credential, "proof": proof}


def status_list_credential(purpose: str) -> dict:
    """The status list (status_list.py) as a credential of the did:web issuer with a Data
    Integrity proof: verifiers of this form check that one issuer signed both.

    Made from the signed list status_list keeps, so it says what the VC-JWT list says and is
    made again exactly when that one is (after every status change).
    """
    token = status_list.status_list_jwt(purpose)
    cache_key = f"certification:status-list-di:{hashlib.sha256(token.encode()).hexdigest()}"
    secured = cache.get(cache_key)
    if secured is None:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        credential = {name: value for name, value in claims.items() if name not in JWT_CLAIMS}
        credential["issuer"] = issuer_did()
        created = datetime.fromisoformat(credential["validFrom"])
        secured = add_proof(credential, key=current_key(), created=created)
        cache.set(cache_key, secured, status_list.CACHE_SECONDS)
    return secured


def add_proof(credential: dict, *, key: IssuerKey, created: datetime) -> dict:
    """A copy of the credential with an eddsa-rdfc-2022 DataIntegrityProof by `key`."""
    if key.private_key is None:
        raise ValueError("A retired key cannot sign.")
    unsecured = {name: value for name, value in credential.items() if name != "proof"}
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method_id(key),
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = key.private_key.sign(_hash_data(unsecured, proof))
    return {**unsecured, "proof": {**proof, "proofValue": multibase(signature)}}


def verify_proof(secured: dict, *, did_doc: dict | None = None) -> dict:
    """The credential without its proof, once the proof is checked against the DID document
    (ours unless another is given). Raises InvalidProof."""
    did_doc = did_document() if did_doc is None else did_doc
    try:
        proof = secured["proof"]
        if not isinstance(proof, dict):
            raise InvalidProof("Exactly one proof is expected.")
        if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
            raise InvalidProof(f"The proof is not a {CRYPTOSUITE} {PROOF_TYPE}.")
        if proof.get("proofPurpose") != PROOF_PURPOSE:
            raise InvalidProof("The proof is not for assertionMethod.")
        datetime.fromisoformat(proof["created"])
        unsecured = {name: value for name, value in secured.items() if name != "proof"}
        if "@context" in proof and not _starts_with(unsecured["@context"], proof["@context"]):
            raise InvalidProof("The proof's @context does not match the credential's.")
        public_key = _assertion_key(proof["verificationMethod"], unsecured, did_doc)
        options = {name: value for name, value in proof.items() if name != "proofValue"}
        signature = multibase_decode(proof["proofValue"])
        public_key.verify(signature, _hash_data(unsecured, options))
    except InvalidSignature as error:
        raise InvalidProof("The signature does not match the credential.") from error
    except InvalidProof:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, jsonld.JsonLdError) as error:
        raise InvalidProof(f"Malformed credential or proof: {error!r}") from error
    return unsecured


def canonical_nquads(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads, contexts from the shipped files only."""
    return jsonld.normalize(
        copy.deepcopy(document),
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
        },
    )


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def multibase(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode()


def multibase_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("proofValue is not multibase base58-btc")
    return base58.b58decode(text[1:])


def _hash_data(unsecured: dict, proof_options: dict) -> bytes:
    """eddsa-rdfc-2022 §3.3.4: SHA-256 of the canonical proof configuration (with the
    credential's @context), then SHA-256 of the canonical credential."""
    config = {**proof_options, "@context": unsecured["@context"]}
    config_hash = hashlib.sha256(canonical_nquads(config).encode()).digest()
    document_hash = hashlib.sha256(canonical_nquads(unsecured).encode()).digest()
    return config_hash + document_hash


def _assertion_key(method_id: str, credential: dict, did_doc: dict) -> Ed25519PublicKey:
    """The public key of a verification method the credential's issuer lists for assertions."""
    issuer = credential["issuer"]
    issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
    controller = method_id.split("#", 1)[0]
    if controller != issuer_id or did_doc.get("id") != issuer_id:
        raise InvalidProof("The proof was not made by a key of the credential's issuer.")
    assertion_ids = {
        entry["id"] if isinstance(entry, dict) else entry
        for entry in did_doc.get("assertionMethod", [])
    }
    if method_id not in assertion_ids:
        raise InvalidProof("The key is not listed for assertions in the issuer's DID document.")
    methods = [
        method for method in did_doc.get("verificationMethod", []) if method["id"] == method_id
    ]
    methods += [entry for entry in did_doc.get("assertionMethod", []) if isinstance(entry, dict)]
    for method in methods:
        if method["id"] == method_id and method.get("type") == "Multikey":
            if method.get("controller") != issuer_id:
                raise InvalidProof("The key's controller is not the issuer.")
            raw = key_from_multibase(method["publicKeyMultibase"])
            return Ed25519PublicKey.from_public_bytes(raw)
    raise InvalidProof("The issuer's DID document has no such Multikey.")


def _starts_with(context, prefix) -> bool:
    context = context if isinstance(context, list) else [context]
    prefix = prefix if isinstance(prefix, list) else [prefix]
    return context[: len(prefix)] == prefix
