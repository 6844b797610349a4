"""Names vulture (`make lint`, 80% confidence) reports although they are used: each is a
parameter a framework passes by name or an import read only inside a string annotation.
Not dead code to remove; one line each, saying who needs it."""
# ruff: noqa

old_state  # billing/providers/breaker.py: pybreaker calls CircuitBreakerListener.state_change(cb, old_state, new_state)
generator  # community_service/api/schema.py: drf-spectacular calls postprocessing hooks with generator=... by keyword
case  # community_service/devtools/fuzz/hooks.py: schemathesis calls filter_failure(context, failure, case, response)
msg  # community_service/outbox/publishers.py: confluent-kafka calls the delivery callback as on_delivery(err, msg)
format_suffix  # events/views/calendars.py: DRF's content negotiation passes select_renderer(..., format_suffix)
ModelChoiceField  # members/console.py: used only in a string return annotation of formfield_for_foreignkey
formsets  # members/console.py: Django's ModelAdmin calls save_related(request, form, formsets, change)
