"""The client address a limit counts against: one caller, however many addresses it holds."""

from __future__ import annotations

import ipaddress


def counted_address(ip: str) -> str:
    """An IPv6 address by its /64 (one home or phone gets a whole /64, so counting each address would let one caller
    change address at every try), an IPv4 one (or an IPv4-mapped IPv6 one) as it is; at most 64 characters."""
    try:
        parsed = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return ip[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)
