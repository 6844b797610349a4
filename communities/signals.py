"""Hooks the layers above communities use to add what a new community needs.

communities/ sits below members/ and content/, so it cannot call their services; they
connect here instead (in their AppConfig.ready) and run inside community_create's
transaction, so a community never exists without its owner membership, roles and #general.
"""

from django.dispatch import Signal

# Sent with `community` and `owner` inside community_create's transaction. A receiver that
# raises rolls the whole creation back.
community_created = Signal()

# Sent with `community` inside community_update's transaction when its language changed:
# what other apps indexed in the old language must be re-indexed (after commit, in batches).
community_language_changed = Signal()
