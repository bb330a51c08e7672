"""``manage.py lti_add_platform``: register an LMS (issuer, client id) and its
deployments of the tool."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from quizzes.lti.platforms import platform_register

# The command's option for each field ValidationError may name.
OPTION_OF_FIELD = {
    "issuer": "--issuer",
    "client_id": "--client-id",
    "auth_login_url": "--auth-url",
    "auth_token_url": "--token-url",
    "key_set_url": "--jwks-url",
    "deployment_id": "--deployment-id",
    "name": "--name",
}


class Command(BaseCommand):
    help = (
        "Register an LMS with the tool, from the values its LTI 1.3 tool "
        "registration shows. Running it again with the same --issuer and "
        "--client-id updates the URLs and adds new deployment ids."
    )

    def add_arguments(self, parser):
        parser.add_argument("--issuer", required=True, help="The platform's `iss`.")
        parser.add_argument(
            "--client-id", required=True, help="The client id it gave the tool."
        )
        parser.add_argument(
            "--auth-url", required=True, help="OIDC authentication (login) URL."
        )
        parser.add_argument(
            "--token-url", required=True, help="OAuth 2 access token URL."
        )
        parser.add_argument("--jwks-url", required=True, help="Public keyset URL.")
        parser.add_argument(
            "--deployment-id",
            required=True,
            action="append",
            help="Deployment id; repeat the option or separate ids with commas.",
        )
        parser.add_argument("--name", default="", help="Defaults to the issuer.")

    def handle(self, *args, **options):
        deployment_ids = [
            part for value in options["deployment_id"] for part in value.split(",")
        ]
        try:
            platform, created, added = platform_register(
                issuer=options["issuer"],
                client_id=options["client_id"],
                auth_login_url=options["auth_url"],
                auth_token_url=options["token_url"],
                key_set_url=options["jwks_url"],
                deployment_ids=deployment_ids,
                name=options["name"],
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"{OPTION_OF_FIELD.get(field, field)}: {message}"
                    for field, messages in error.message_dict.items()
                    for message in messages
                )
            ) from None
        verb = "registered" if created else "updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"platform {platform.name} {verb} "
                f"(issuer {platform.issuer}, client id {platform.client_id})"
            )
        )
        deployments = ", ".join(added) if added else "none new"
        self.stdout.write(f"deployments added: {deployments}")
