"""Hooks that apps above members react to, so members never imports them.

Receivers run inside the sender's transaction (a failure rolls the change back) and must
take only locks that come after the member row in the documented lock order.
"""

from django.dispatch import Signal

# Sent when an active or pending membership ends (left, kicked, banned, rejected), after
# the member row is locked and saved. Keyword argument: member.
membership_ended = Signal()

# Sent when a user's username changed (the API's PATCH /auth/me, the console), after the row
# is saved. Keyword argument: user. For caches above members that hold usernames.
user_renamed = Signal()

# Sent once a closed account (POST /auth/close-account) has left its communities, outside any
# transaction (each receiver takes its own). Keyword argument: user (inactive, anonymised).
account_closed = Signal()
