"""factory_boy factories for the LTI app."""

import factory
from django.contrib.auth.models import Group

from quizzes.lti.models import (
    Context,
    Deployment,
    Identity,
    Membership,
    Platform,
    ResourceLink,
)
from tests.factories import QuizFactory, UserFactory


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


class ContextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Context

    platform = factory.SubFactory(PlatformFactory)
    deployment = factory.SubFactory(
        DeploymentFactory, platform=factory.SelfAttribute("..platform")
    )
    context_id = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course {n}")
    group = factory.SubFactory(
        "tests.lti.factories.GroupFactory",
    )


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Cohort {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    context = factory.SubFactory(ContextFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.LEARNER


class ResourceLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceLink

    context = factory.SubFactory(ContextFactory)
    resource_link_id = factory.Sequence(lambda n: f"link-{n}")
    quiz = factory.SubFactory(QuizFactory)
    lineitem_url = "https://lms.example.edu/lineitems/1"


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    issuer = "https://lms.example.edu"
    subject = factory.Sequence(lambda n: f"sub-{n}")
    user = factory.SubFactory(UserFactory)
