"""factory_boy factories for the LTI app."""

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from jwcrypto.jwk import JWK

from quizzes.lti.models import (
    Context,
    Deployment,
    GradePost,
    Identity,
    Membership,
    Platform,
    ResourceLink,
    ToolKey,
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


class GradePostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradePost

    resource_link = factory.SubFactory(ResourceLinkFactory)
    user = factory.SubFactory(UserFactory)
    score_given = 50
    score_maximum = 100
    updated_at = factory.LazyFunction(timezone.now)
    next_try_at = factory.LazyFunction(timezone.now)


def _new_key():
    return JWK.generate(kty="RSA", size=2048)


class ToolKeyFactory(factory.django.DjangoModelFactory):
    """A real RSA key: the platform checks what it signs."""

    class Meta:
        model = ToolKey
        exclude = ["jwk"]

    jwk = factory.LazyFunction(_new_key)
    kid = factory.LazyAttribute(lambda o: o.jwk.thumbprint())
    private_key_pem = factory.LazyAttribute(
        lambda o: o.jwk.export_to_pem(private_key=True, password=None).decode()
    )
    public_jwk = factory.LazyAttribute(
        lambda o: {
            **o.jwk.export_public(as_dict=True),
            "kid": o.kid,
            "alg": "RS256",
            "use": "sig",
        }
    )
    created_at = factory.LazyFunction(timezone.now)
