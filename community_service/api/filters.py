"""Shared django-filter behaviour."""

import django_filters
from django import forms


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet where a typed parameter that is present but empty (`?owner=`) is a 400.

    django-filter ignores empty values by default, which hides client bugs; free-text
    filters (CharFilter) and `ordering` (empty means the default order) may still be empty.
    """

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if isinstance(filter_, django_filters.CharFilter | django_filters.OrderingFilter) or name not in self.data:
                continue
            if self.data.get(name) == "":
                self.form.add_error(name, forms.ValidationError("Must not be empty.", code="blank"))
                valid = False
        return valid
