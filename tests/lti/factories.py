"""factory_boy factories for the LTI app: a platform and its deployment."""

import factory

from quizzes.lti.models import Deployment, Platform


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform

    name = factory.Sequence(lambda n: f"LMS {n}")
    issuer = factory.Sequence(lambda n: f"https://lms{n}.example.edu")
    client_id = factory.Sequence(lambda n: f"client-{n}")
    auth_login_url = factory.LazyAttribute(lambda p: f"{p.issuer}/auth")
    auth_token_url = factory.LazyAttribute(lambda p: f"{p.issuer}/token")
    key_set_url = factory.LazyAttribute(lambda p: f"{p.issuer}/jwks")


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    platform = factory.SubFactory(PlatformFactory)
    deployment_id = factory.Sequence(lambda n: f"deployment-{n}")
