"""Trainees as the instructors' admin sees them, and the log of deadline extensions."""

from django.conf import settings
from django.contrib.auth.models import User, UserManager
from django.db import models
from django.db.models import Q


class TraineeManager(UserManager):
    """Trainees are the accounts that are not staff: they take quizzes, nothing else."""

    # The filter is for the admin's reads; migrations need no manager of ours.
    use_in_migrations = False

    def get_queryset(self):
        return super().get_queryset().filter(is_staff=False, is_superuser=False)


class Trainee(User):
    """A proxy of the user model, so that instructors may read trainees' progress.

    Instructors hold ``view_trainee`` (this proxy's permission) and nothing on
    ``auth.User``: they see who the trainees are and how they do, but cannot manage
    accounts, groups or permissions.
    """

    objects = TraineeManager()

    class Meta:
        proxy = True
        ordering = ["username"]

    def __str__(self):
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username


class DeadlineExtension(models.Model):
    """An instructor gave an in-progress attempt more time: who, when, why, by how much.

    Rows are only ever added (by ``services.attempts_admin.attempt_deadline_extend``);
    the ``add`` permission is what lets an instructor extend a deadline.
    """

    attempt = models.ForeignKey(
        "quizzes.Attempt", on_delete=models.CASCADE, related_name="extensions"
    )
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="deadline_extensions_given",
    )
    extended_at = models.DateTimeField()
    reason = models.TextField()
    old_deadline = models.DateTimeField()
    new_deadline = models.DateTimeField()

    class Meta:
        ordering = ["-extended_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_deadline__gt=models.F("old_deadline")),
                name="deadlineextension_moves_deadline_later",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="deadlineextension_reason_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.attempt} · +{self.minutes} min by {self.extended_by}"

    @property
    def minutes(self) -> int:
        return round((self.new_deadline - self.old_deadline).total_seconds() / 60)
