"""Counters members' services keep (checked and fixed by `manage.py recount_counters`)."""

from communities.models import Community
from community_service.db.counters import CounterSpec, count_of
from members.models import Member, MemberStatus

COUNTERS = [
    # Active members; join/leave/kick/ban change it with F() after locking the community row.
    CounterSpec(Community, "member_count", count_of(Member.objects.filter(status=MemberStatus.ACTIVE), "community")),
]
