"""Sharing a certificate beyond Komek: LinkedIn's "Add to profile" link for certifications."""

from urllib.parse import urlencode

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
