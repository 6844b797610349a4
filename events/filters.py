import django_filters
from django.db.models import QuerySet

from community_service.api.filters import StrictFilterSet
from events.models import Event, EventStatus, Registration, RegistrationStatus
from events.selectors.events import ORDERINGS, event_when

WHEN_HELP = ("upcoming (default: not over yet, soonest first), past (over, latest first) or all (soonest "
             "first). With starts_after/starts_before the default is all.")


class EventFilter(StrictFilterSet):
    when = django_filters.ChoiceFilter(choices=[(w, w) for w in ORDERINGS], method="filter_when", help_text=WHEN_HELP)
    status = django_filters.ChoiceFilter(choices=EventStatus.choices)
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte",
        help_text="Events starting at or after this ISO 8601 time (no offset: UTC).",
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lt",
        help_text="Events starting before this ISO 8601 time (no offset: UTC).",
    )

    class Meta:
        model = Event
        fields = ["when", "status", "starts_after", "starts_before"]

    @property
    def when_value(self) -> str:
        """The `when` in effect (after is_valid)."""
        data = self.form.cleaned_data
        ranged = data.get("starts_after") is not None or data.get("starts_before") is not None
        return data.get("when") or ("all" if ranged else "upcoming")

    @property
    def ordering(self) -> list[str]:
        return ORDERINGS[self.when_value]

    def filter_queryset(self, queryset: QuerySet[Event]) -> QuerySet[Event]:
        return event_when(super().filter_queryset(queryset), when=self.when_value)

    def filter_when(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        return queryset  # applied with the ordering in filter_queryset


class ParticipantFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(RegistrationStatus.GOING, "Going"), (RegistrationStatus.WAITLISTED, "Waitlisted")],
        help_text="going or waitlisted (default: both, going first).",
    )

    class Meta:
        model = Registration
        fields = ["status"]
