"""The question admin enforces the kind's rules on the inline choices."""

import pytest
from django.contrib.auth import get_user_model

from quizzes.models import Question
from tests.factories import SectionFactory

pytestmark = pytest.mark.django_db
QUOTE = "Intramuscular injection is used when IV access is not feasible."


@pytest.fixture
def admin_client_logged_in(client):
    user = get_user_model().objects.create_superuser("boss", "b@example.com", "pw")
    client.force_login(user)
    return client


def question_form(section, correct_flags):
    data = {
        "section": section.pk,
        "kind": "single",
        "status": "draft",
        "stem": "Which route is used first?",
        "explanation": "Because.",
        "source_quote": QUOTE,
        "choices-TOTAL_FORMS": "4",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, flag in enumerate(correct_flags):
        data |= {
            f"choices-{i}-order": str(i + 1),
            f"choices-{i}-text": f"Option {i}",
            f"choices-{i}-rationale": "Why.",
        }
        if flag:
            data[f"choices-{i}-is_correct"] = "on"
    return data


def test_two_correct_choices_on_a_single_question_are_refused_with_the_count(
    admin_client_logged_in,
):
    section = SectionFactory()
    response = admin_client_logged_in.post(
        "/admin/quizzes/question/add/", question_form(section, [1, 1, 0, 0])
    )
    assert response.status_code == 200
    assert (
        "a single-best-answer question needs exactly one correct choice; 2 are marked"
        in response.content.decode()
    )
    assert not Question.objects.exists()


def test_a_valid_single_question_is_saved_with_its_choices(admin_client_logged_in):
    section = SectionFactory()
    response = admin_client_logged_in.post(
        "/admin/quizzes/question/add/", question_form(section, [0, 1, 0, 0])
    )
    assert response.status_code == 302
    assert Question.objects.get().choices.filter(is_correct=True).count() == 1


def test_a_quote_not_in_the_section_is_refused(admin_client_logged_in):
    section = SectionFactory()
    data = question_form(section, [0, 1, 0, 0]) | {"source_quote": "Invented words."}
    response = admin_client_logged_in.post("/admin/quizzes/question/add/", data)
    assert "does not appear verbatim" in response.content.decode()
    assert not Question.objects.exists()


def test_trainee_is_sent_to_login_from_the_admin(client):
    client.force_login(get_user_model().objects.create_user("t1", password="pw"))
    response = client.get("/admin/quizzes/question/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_question_saved_as_published_must_meet_every_rule(admin_client_logged_in):
    """A draft may be unfinished; a published question is checked as audit_bank
    checks it (here: an unmarked negative stem), with one message per problem."""
    section = SectionFactory()
    data = question_form(section, [0, 1, 0, 0]) | {
        "status": "published",
        "stem": "Which route is not used first?",
    }
    response = admin_client_logged_in.post("/admin/quizzes/question/add/", data)
    assert "unmarked negative" in response.content.decode()
    assert not Question.objects.exists()
    data["status"] = "draft"
    response = admin_client_logged_in.post("/admin/quizzes/question/add/", data)
    assert response.status_code == 302


def test_a_true_false_question_needs_true_and_false(admin_client_logged_in):
    section = SectionFactory()
    data = question_form(section, [1, 0]) | {
        "kind": "true_false",
        "choices-TOTAL_FORMS": "2",
    }
    response = admin_client_logged_in.post("/admin/quizzes/question/add/", data)
    assert (
        'a true/false question needs exactly two choices, "True" and "False"'
        in response.content.decode().replace("&quot;", '"')
    )
