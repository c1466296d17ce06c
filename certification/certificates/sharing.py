"""Sharing a certificate beyond Komek: LinkedIn's "Add to profile" link for certifications, and
the short-lived link a wallet app fetches the credential from."""

from urllib.parse import urlencode

from django.core import signing
from django.utils import timezone

from ..models import Certificate

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_url(certificate: Certificate, *, organisation: str, language: str) -> str:
    """LinkedIn's add-certification form, filled in: the title, the issuer, the month it was
    issued and the one it expires, the verify page as its URL and the code as its id."""
    issued = timezone.localtime(certificate.issued_at)
    fields = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.title(language),
        "organizationName": organisation,
        "issueYear": issued.year,
        "issueMonth": issued.month,
    }
    if certificate.expires_at:
        expires = timezone.localtime(certificate.expires_at)
        fields |= {"expirationYear": expires.year, "expirationMonth": expires.month}
    fields |= {"certUrl": certificate.verify_url, "certId": certificate.public_code}
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(fields)}"


# The wallet link: a wallet app on the holder's phone fetches it without the holder's session,
# so the address itself is the permission: signed for this certificate, short-lived.
WALLET_SALT = "komek.certificates.wallet-link"
WALLET_LINK_SECONDS = 15 * 60


def wallet_token(certificate) -> str:
    return signing.TimestampSigner(salt=WALLET_SALT).sign(certificate.public_code)


def wallet_token_allows(token: str, *, code: str) -> bool:
    try:
        signed_code = signing.TimestampSigner(salt=WALLET_SALT).unsign(
            token or "", max_age=WALLET_LINK_SECONDS
        )
    except signing.BadSignature:  # forged, or older than WALLET_LINK_SECONDS
        return False
    return signed_code == code
