"""No SSRF: where a webhook may be sent, checked at registration and again at every attempt.

A URL must be https (http only with WEBHOOK_ALLOW_HTTP) and its host must resolve only to
public addresses: loopback, private, link-local (the cloud metadata service, 169.254.169.254
and fd00:ec2::254, among them), multicast, reserved and unspecified ones are refused, unless
inside WEBHOOK_ALLOWED_NETWORKS. The attempt then connects to the address that was checked
(pinned), so a name that resolves differently a moment later cannot redirect it, and
redirects are never followed.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from community_service.exceptions import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrl(ValidationFailed):
    code = "unsafe_url"


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _allowed(address: IPAddress) -> bool:
    for network in settings.WEBHOOK_ALLOWED_NETWORKS:
        if address in ipaddress.ip_network(network, strict=False):
            return True
    return False


def _public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
                or address.is_reserved or address.is_unspecified or not address.is_global)


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl(f"The host {host} does not resolve.", field="url") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def check_url(url: str) -> Target:
    """The URL's pinned target, or UnsafeUrl (400 on `url`) naming why not."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise UnsafeUrl("The URL cannot be parsed.", field="url") from None
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes:
        raise UnsafeUrl("The URL must be https.", field="url")
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeUrl("The URL needs a host and no credentials.", field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl("The URL's port is not valid.", field="url") from None
    addresses = resolve(parts.hostname, port)
    for address in addresses:
        if not _public(address) and not _allowed(address):
            raise UnsafeUrl(f"{parts.hostname} resolves to {address}, a loopback, private, link-local or "
                            "otherwise non-public address.", field="url")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=parts.hostname, port=port, path=path, address=str(addresses[0]))
