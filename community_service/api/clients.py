"""Who is calling: the client's address, as throttles and view counts see it.

X-Forwarded-For is written by whoever sends the request, so it is believed only as far as
our own proxies vouch for it: with NUM_PROXIES=N the client is the N-th address from the
right (the one our outermost proxy saw); with 0, the default, it is ignored and the peer
address (REMOTE_ADDR) is the client. This is DRF's own rule (BaseThrottle.get_ident).
"""

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle


def client_address(request: Request) -> str:
    return BaseThrottle().get_ident(request) or ""
