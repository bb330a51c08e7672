"""Admin form fields: a time limit typed in minutes, a trainee picked from a list."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import get_user_model

UNDER_A_MINUTE = (
    "A time limit is at least 1 minute; leave it blank for an untimed quiz."
)


class MinutesField(forms.Field):
    """A ``DurationField``'s value typed and shown as whole minutes.

    ``20`` means twenty minutes (Django's own duration field reads it as twenty
    seconds). Whole minutes only: nobody sets an exam to the second, and a decimal
    ("1.5") reads as "1 hour 30" to some and "1 min 30 s" to others. A legacy limit
    that is not a whole number of minutes is shown as a decimal, and refused until
    it is corrected, so that a 20-second limit cannot survive an unnoticed save.
    """

    widget = forms.NumberInput(attrs={"min": 1, "step": 1, "class": "vIntegerField"})
    default_error_messages = {
        "invalid": "Enter the time limit as a number of minutes, e.g. 20.",
        "under_a_minute": UNDER_A_MINUTE,
        "not_whole": "Enter whole minutes, e.g. 90 for an hour and a half.",
    }

    def prepare_value(self, value):
        if isinstance(value, timedelta):
            minutes = Decimal(value.total_seconds()) / 60
            return f"{minutes:.2f}".rstrip("0").rstrip(".")
        return value

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, timedelta):
            return value
        try:
            minutes = Decimal(str(value).strip())
        except InvalidOperation:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None
        if not minutes.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if minutes < 1:
            raise forms.ValidationError(
                self.error_messages["under_a_minute"], code="under_a_minute"
            )
        if minutes != minutes.to_integral_value():
            raise forms.ValidationError(
                self.error_messages["not_whole"], code="not_whole"
            )
        if minutes > 60 * 24 * 7:
            raise forms.ValidationError(
                "A time limit is at most a week (10080 minutes).", code="too_long"
            )
        return timedelta(minutes=int(minutes))

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != initial
        except forms.ValidationError:
            return True


class TraineeChoiceField(forms.ModelChoiceField):
    """A trainee as "Full Name (username)"."""

    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


def trainee_choices():
    """The accounts a trainee is picked from: active and not staff."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=False)
        .order_by("username")
    )
