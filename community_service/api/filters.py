"""Shared django-filter behaviour."""

import django_filters
from django import forms


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet where a typed parameter that is present but empty (`?owner=`) is a 400.

    django-filter ignores empty values by default, which hides client bugs; only free-text
    filters (CharFilter) may be empty. `ordering` is an enum in the schema, so an empty one is
    refused too (leave it out for the default order).
    """

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if isinstance(filter_, django_filters.CharFilter) or name not in self.data:
                continue
            if self.data.get(name) == "":
                self.form.add_error(name, forms.ValidationError("Must not be empty.", code="blank"))
                valid = False
        return valid
