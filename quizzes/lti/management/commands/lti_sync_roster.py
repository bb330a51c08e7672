"""``manage.py lti_sync_roster --context <pk or context id>``: read an LMS course's
roster (LTI NRPS) and bring its memberships and cohort group in line with it
(``quizzes.lti.services.roster``)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quizzes.lti.models import Context
from quizzes.lti.services.roster import RosterError, roster_sync


class Command(BaseCommand):
    help = "Sync an LMS course's roster (LTI Names and Role Provisioning Services)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--context",
            required=True,
            help="The course: its id here, or its LMS context id.",
        )

    def handle(self, *args, context, **options):
        report = roster_sync(context=self.find(context), now=timezone.now())
        self.stdout.write(f"synced: {report}")

    def find(self, value: str) -> Context:
        contexts = Context.objects.select_related("platform", "group")
        found = list(contexts.filter(context_id=value))
        if not found and value.isdigit():
            found = list(contexts.filter(pk=int(value)))
        if not found:
            raise CommandError(f"No LMS course with id or context id {value!r}.")
        if len(found) > 1:
            choices = ", ".join(f"{c.pk} ({c.platform.name})" for c in found)
            raise CommandError(
                f"Context id {value!r} is on several platforms; give the id: {choices}"
            )
        return found[0]

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except RosterError as error:
            raise CommandError(str(error)) from error
