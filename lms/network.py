"""The client's address, as every rate limit tells clients apart (verification, joining)."""

import ipaddress

from django.conf import settings

UNKNOWN = "unknown"


def client_address(request) -> str:
    """REMOTE_ADDR, or behind a proxy the header RATELIMIT_IP_META_KEY names; an IPv6 client
    by its /64 network, since one host holds a whole /64."""
    header = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    address = request.META.get(header or "REMOTE_ADDR") or ""
    # X-Forwarded-For lists every hop; only the last was written by our own proxy (the earlier
    # ones come from the client and can be anything).
    address = address.split(",")[-1].strip()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return UNKNOWN
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:a.b.c.d from a dual-stack listener
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def client_key(group, request) -> str:
    """`client_address` as django-ratelimit's `key` callable."""
    return client_address(request)


def client_ip(request) -> str | None:
    """`client_address` as django-axes stores it: an IP address, or None when there is none
    (a request made up by Django's test client or a management command)."""
    address = client_address(request)
    return None if address == UNKNOWN else address
