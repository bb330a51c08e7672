"""The admin's autocomplete, with labels a model admin may choose."""

from __future__ import annotations

from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Labels each result with its model admin's ``autocomplete_label(obj)``, when
    the admin has one (a section shows its path), else with ``str(obj)``."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        return (result | {"text": label(obj)}) if label else result


def autocomplete_view(request):
    """``AdminSite.autocomplete_view`` for the default site (Django's documented
    way to change the results)."""
    from django.contrib import admin

    return LabelledAutocompleteJsonView.as_view(admin_site=admin.site)(request)
