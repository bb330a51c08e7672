"""The question admin: the inline choices start with the kind's rows, are numbered
by their place on the page, and are held to the kind's rules, shown first."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from quizzes.models import Choice, Question
from tests.factories import QuestionFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db
QUOTE = "Intramuscular injection is used when IV access is not feasible."
ADD = "/admin/quizzes/question/add/"
TWO_KEYS = (
    "a single-best-answer question needs exactly one correct choice; 2 are marked"
)


@pytest.fixture
def admin_client_logged_in(client):
    user = get_user_model().objects.create_superuser("boss", "b@example.com", "pw")
    client.force_login(user)
    return client


def question_form(section, correct_flags, places=None):
    """A new question's POST; ``places``: what each row posts as its place (by
    default 1..n, as the page's script numbers the rows)."""
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
            f"choices-{i}-position": str(i + 1) if places is None else places[i],
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


def formset_of(response):
    (inline,) = response.context["inline_admin_formsets"]
    return inline.formset


def test_a_new_question_starts_with_four_blank_single_answer_choices(
    admin_client_logged_in,
):
    """The add page offers the kind's fewest choices, as blank rows, for the
    bank's usual kind (single best answer), which the kind select starts on."""
    response = admin_client_logged_in.get(ADD)
    formset = formset_of(response)
    assert len(formset.forms) == 4
    assert [form.initial.get("text", "") for form in formset.forms] == [""] * 4
    assert response.context["adminform"].form.initial["kind"] == "single"
    page = response.content.decode()
    assert 'name="choices-TOTAL_FORMS" value="4"' in page


def test_a_new_select_all_question_starts_with_four_blank_choices(
    admin_client_logged_in,
):
    formset = formset_of(admin_client_logged_in.get(f"{ADD}?kind=multiple"))
    assert len(formset.forms) == 4


def test_a_new_true_false_question_starts_with_true_and_false_rows(
    admin_client_logged_in,
):
    """``?kind=true_false`` (the page's script, or a link without it) gives the
    two rows the kind needs, their texts already typed."""
    response = admin_client_logged_in.get(f"{ADD}?kind=true_false")
    formset = formset_of(response)
    assert [form.initial["text"] for form in formset.forms] == ["True", "False"]
    assert response.context["adminform"].form.initial["kind"] == "true_false"
    page = response.content.decode()
    assert re.search(r'name="choices-0-text"[^>]*>\s*True</textarea>', page)
    assert re.search(r'name="choices-1-text"[^>]*>\s*False</textarea>', page)


def test_the_add_page_tells_its_script_the_rows_of_each_kind(admin_client_logged_in):
    page = admin_client_logged_in.get(ADD).content.decode()
    assert "data-starting-choices=" in page
    assert "quizzes/admin/question_form.js" in page
    assert "&quot;true_false&quot;: [&quot;True&quot;, &quot;False&quot;]" in page


@pytest.mark.parametrize("place", ["", "0"])
def test_four_choices_with_no_order_typed_are_saved_in_one_post_as_1_to_4(
    admin_client_logged_in, place
):
    """Nobody types an order: rows posted with a blank or 0 place are numbered
    1..4 down the form, never "Please correct the duplicate data for order"."""
    section = SectionFactory()
    data = question_form(section, [0, 1, 0, 0], places=[place] * 4)
    response = admin_client_logged_in.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    choices = Question.objects.get().choices.order_by("order")
    assert [(c.order, c.text) for c in choices] == [
        (1, "Option 0"),
        (2, "Option 1"),
        (3, "Option 2"),
        (4, "Option 3"),
    ]


def test_new_rows_are_numbered_by_their_place_on_the_page(admin_client_logged_in):
    """The script posts each row's place after it was moved: the order follows
    the places, whatever the rows' names."""
    section = SectionFactory()
    data = question_form(section, [0, 1, 0, 0], places=["3", "1", "4", "2"])
    response = admin_client_logged_in.post(ADD, data)
    assert response.status_code == 302
    texts = Question.objects.get().choices.order_by("order").values_list("text")
    assert [t for (t,) in texts] == ["Option 1", "Option 3", "Option 0", "Option 2"]


def change_form(question, rows):
    """A change POST of ``question``; ``rows``: (choice, place, delete) per row,
    in the rows' form order."""
    data = {
        "section": question.section_id,
        "kind": question.kind,
        "status": question.status,
        "stem": question.stem,
        "explanation": question.explanation,
        "source_quote": question.source_quote,
        "choices-TOTAL_FORMS": str(len(rows)),
        "choices-INITIAL_FORMS": str(len(rows)),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, (choice, place, delete) in enumerate(rows):
        data |= {
            f"choices-{i}-id": str(choice.pk),
            f"choices-{i}-question": str(question.pk),
            f"choices-{i}-position": place,
            f"choices-{i}-text": choice.text,
            f"choices-{i}-rationale": choice.rationale,
        }
        if choice.is_correct:
            data[f"choices-{i}-is_correct"] = "on"
        if delete:
            data[f"choices-{i}-DELETE"] = "on"
    return data


def test_moving_a_choice_renumbers_the_saved_choices(admin_client_logged_in):
    """Moving the last choice to the top saves 1..4 in the new order, though the
    choices only moved (nothing else changed) and pass through one another's
    places; each move is kept in the choice's history."""
    question = QuestionFactory()
    a, b, c, d = question.choices.order_by("order")
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    data = change_form(question, [(a, "2", 0), (b, "3", 0), (c, "4", 0), (d, "1", 0)])
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    orders = question.choices.order_by("order").values_list("text", "order")
    assert list(orders) == [(d.text, 1), (a.text, 2), (b.text, 3), (c.text, 4)]
    latest = Choice.history.filter(id=d.pk).latest("history_id")
    assert (latest.order, latest.history_type) == (1, "~")


def test_deleting_a_choice_closes_the_gap(admin_client_logged_in):
    """Deleting the second of five choices leaves 1..4, in the same order."""
    question = QuestionFactory(
        choices=[("A", True), ("B", False), ("C", False), ("D", False), ("E", False)]
    )
    choices = list(question.choices.order_by("order"))
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    rows = [(choice, str(i), i == 2) for i, choice in enumerate(choices, start=1)]
    response = admin_client_logged_in.post(url, change_form(question, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    orders = question.choices.order_by("order").values_list("text", "order")
    assert list(orders) == [("A", 1), ("C", 2), ("D", 3), ("E", 4)]


def test_two_keys_give_the_rule_message_first_and_no_duplicate_order_error(
    admin_client_logged_in,
):
    """Four rows with no order typed and two keys: the page says "2 are marked"
    before anything else, at the top of the page and of the choices, and never
    "Please correct the duplicate data for order"."""
    section = SectionFactory()
    data = question_form(section, [1, 1, 0, 0], places=["0"] * 4)
    response = admin_client_logged_in.post(ADD, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "duplicate data" not in page.lower()
    assert formset_of(response).non_form_errors() == [TWO_KEYS]
    top = page.index('class="errornote choice-rule-errors"')
    assert top < page.index(TWO_KEYS) < page.index("Please correct the error")
    assert not Question.objects.exists()


def test_the_rule_message_is_shown_even_when_a_row_has_its_own_error(
    admin_client_logged_in,
):
    """A row without a rationale does not hide the kind's rule: both are said,
    the rule first."""
    section = SectionFactory()
    data = question_form(section, [1, 1, 0, 0]) | {"choices-3-rationale": ""}
    response = admin_client_logged_in.post(ADD, data)
    page = response.content.decode()
    assert TWO_KEYS in formset_of(response).non_form_errors()
    assert "This field is required" in page
    assert page.index(TWO_KEYS) < page.index("This field is required")


def true_false_post_from_the_add_page(client, section):
    """What a browser posts from ``?kind=true_false`` after the instructor wrote
    the rationales and marked "True": the rows' texts as the page gave them."""
    formset = formset_of(client.get(f"{ADD}?kind=true_false"))
    data = question_form(section, []) | {
        "kind": "true_false",
        "choices-TOTAL_FORMS": str(len(formset.forms)),
    }
    for i, form in enumerate(formset.forms):
        data |= {
            f"choices-{i}-position": str(i + 1),
            f"choices-{i}-text": form.initial["text"],
            f"choices-{i}-rationale": f"Why {form.initial['text']}.",
        }
    data["choices-0-is_correct"] = "on"
    return data


def test_a_true_false_question_from_the_prefilled_rows_saves_both_choices(
    admin_client_logged_in,
):
    section = SectionFactory()
    data = true_false_post_from_the_add_page(admin_client_logged_in, section)
    response = admin_client_logged_in.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    choices = Question.objects.get().choices.order_by("order")
    assert [(c.order, c.text, c.is_correct) for c in choices] == [
        (1, "True", True),
        (2, "False", False),
    ]


def test_a_prefilled_row_left_as_it_was_is_not_silently_dropped(
    admin_client_logged_in,
):
    """Django skips an extra row whose data equals its initial data. The "False"
    row, left as the page gave it, still counts: the instructor is told it has
    no rationale, not that the question has one choice."""
    section = SectionFactory()
    data = true_false_post_from_the_add_page(admin_client_logged_in, section)
    data["choices-1-rationale"] = ""
    response = admin_client_logged_in.post(ADD, data)
    errors = formset_of(response).non_form_errors()
    assert "choice 2 has no rationale" in errors
    assert not any("it has 1" in error for error in errors)
    assert not Question.objects.exists()


def test_a_view_only_user_sees_each_choices_order(client):
    """Where the choices are read-only, the order column shows the stored order
    (the editable column is a form field the model does not have)."""
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_question", "view_choice"])
    )
    client.force_login(user)
    question = QuestionFactory()
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    page = client.get(url).content.decode()
    cells = re.findall(r'<td class="field-position">\s*<p>(.*?)</p>', page)
    assert cells == ["1", "2", "3", "4"]
