"""Suggested source quotes in the admin: on a draft's page, the list of drafts lacking
one, "Use this quote", and the changelist's "source quote: missing" filter."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from quizzes.choices import QuestionStatus
from quizzes.models import Question
from tests.factories import QuestionFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

QUOTE = "Intramuscular injection is used when IV access is not feasible."
DRAFTS = reverse("admin:quizzes_question_quote_drafts")
LIST = reverse("admin:quizzes_question_changelist")


def draft(**fields):
    return QuestionFactory(status=QuestionStatus.DRAFT, **{"source_quote": ""} | fields)


def change_url(question):
    return reverse("admin:quizzes_question_change", args=[question.pk])


def use_url(question):
    return reverse("admin:quizzes_question_use_quote", args=[question.pk])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def history_count(question):
    return question.history.count()


def test_a_drafts_page_suggests_sentences_with_scores_and_buttons(instructor_client):
    """A draft without a quote shows its section's best sentences, best first, each
    with its score and a "Use this quote" button tied to a form of its own."""
    question = draft()
    page = instructor_client.get(change_url(question)).content.decode()
    assert "Suggested source quotes" in page
    assert page.index(QUOTE) < page.index("Ketamine can be given by intravenous")
    assert "score " in page
    assert 'form="use-quote-1"' in page and 'id="use-quote-1"' in page
    assert f'action="{use_url(question)}"' in page
    assert f'name="quote" value="{QUOTE}"' in page


def test_a_quote_not_verbatim_is_named_on_the_drafts_page(instructor_client):
    """A near miss (straight apostrophe, changed word) says it is not verbatim."""
    question = draft(source_quote="Intramuscular injection is used if IV fails.")
    page = instructor_client.get(change_url(question)).content.decode()
    assert "does not appear verbatim in its section" in page


@pytest.mark.parametrize(
    "fields",
    [
        {"status": QuestionStatus.PUBLISHED, "source_quote": QUOTE},
        {"status": QuestionStatus.DRAFT, "source_quote": QUOTE},
    ],
)
def test_a_question_with_a_verbatim_quote_shows_no_suggestions(
    instructor_client, fields
):
    """Nothing to suggest once the quote is verbatim, published or draft."""
    question = QuestionFactory(**fields)
    page = instructor_client.get(change_url(question)).content.decode()
    assert "Suggested source quotes" not in page


def test_the_add_page_shows_no_suggestions(instructor_client):
    """A question not yet saved has no section to match."""
    page = instructor_client.get(reverse("admin:quizzes_question_add"))
    assert page.status_code == 200
    assert "Suggested source quotes" not in page.content.decode()


def test_use_this_quote_saves_it_and_returns_to_the_draft(
    instructor_client, instructor
):
    """The POST saves the sentence, records who in the history, and goes back to
    the change page with a message."""
    question = draft()
    response = instructor_client.post(use_url(question), {"quote": QUOTE})
    assert response.status_code == 302
    assert response["Location"] == change_url(question)
    question.refresh_from_db()
    assert question.source_quote == QUOTE
    assert question.history.latest().history_user == instructor
    assert any("Source quote saved" in m for m in messages_of(response))


def test_a_quote_that_is_not_verbatim_is_refused_with_a_message(instructor_client):
    """The rule's message is shown on the draft's page; the quote is unchanged."""
    question = draft()
    response = instructor_client.post(
        use_url(question), {"quote": "Ketamine is given by mouth."}, follow=True
    )
    assert response.redirect_chain == [(change_url(question), 302)]
    page = response.content.decode()
    assert "Quote not saved" in page
    assert "does not appear verbatim" in page
    question.refresh_from_db()
    assert question.source_quote == ""


def test_a_post_without_a_quote_is_refused_with_a_message(instructor_client):
    """A missing field is an empty quote: refused, said so, nothing saved."""
    question = draft()
    response = instructor_client.post(use_url(question), {})
    assert any("source quote is empty" in m for m in messages_of(response))
    question.refresh_from_db()
    assert question.source_quote == ""


def test_use_this_quote_from_the_list_returns_to_the_list_page(instructor_client):
    """``back=list`` returns to the same page of the list."""
    question = draft()
    response = instructor_client.post(
        use_url(question), {"quote": QUOTE, "back": "list", "p": "2"}
    )
    assert response["Location"] == f"{DRAFTS}?p=2"


def test_use_this_quote_is_post_only(instructor_client):
    """A GET (a link followed, a prefetch) changes nothing: 405."""
    question = draft()
    response = instructor_client.get(use_url(question), {"quote": QUOTE})
    assert response.status_code == 405
    question.refresh_from_db()
    assert question.source_quote == ""


def test_an_unknown_question_is_a_404(instructor_client):
    assert (
        instructor_client.post(
            reverse("admin:quizzes_question_use_quote", args=[999999]), {"quote": QUOTE}
        ).status_code
        == 404
    )


def test_staff_without_permissions_are_refused(client):
    """Staff outside the Instructors group get 403 on the list and on the POST."""
    question = draft()
    client.force_login(UserFactory(is_staff=True))
    assert client.get(DRAFTS).status_code == 403
    assert client.post(use_url(question), {"quote": QUOTE}).status_code == 403
    question.refresh_from_db()
    assert question.source_quote == ""


def test_trainees_are_sent_to_the_login(client):
    """Not staff: the admin's login, and nothing saved."""
    question = draft()
    client.force_login(UserFactory())
    for response in [
        client.get(DRAFTS),
        client.post(use_url(question), {"quote": QUOTE}),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    question.refresh_from_db()
    assert question.source_quote == ""


def test_the_post_needs_a_csrf_token(instructor):
    """The button's form carries the token; without it the POST is refused."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    question = draft()
    assert client.post(use_url(question), {"quote": QUOTE}).status_code == 403
    question.refresh_from_db()
    assert question.source_quote == ""


def test_the_list_shows_every_draft_lacking_a_quote_with_its_best_suggestion(
    instructor_client,
):
    """Each draft: a link to it, its problem, the best sentence with its score and
    a button; a draft with a verbatim quote and a published question are absent."""
    missing = draft(name="IM route")
    near = draft(source_quote="Intramuscular injection is used if IV fails.")
    fine = draft(source_quote=QUOTE, stem="A draft that is fine already?")
    QuestionFactory(stem="A published question?")
    page = instructor_client.get(DRAFTS).content.decode()
    assert "2 drafts lack a source quote" in page
    assert f"#{missing.pk} “IM route”" in page
    assert change_url(near) in page
    assert change_url(fine) not in page
    assert "A published question?" not in page
    assert "No source quote" in page and "Quote not verbatim" in page
    assert page.count(f"<blockquote>{QUOTE}</blockquote>") == 2
    assert page.count(">Use this quote</button>") == 2


def test_the_list_says_when_every_draft_has_a_quote(instructor_client):
    draft(source_quote=QUOTE)
    page = instructor_client.get(DRAFTS).content.decode()
    assert "Every draft has a verbatim source quote." in page


def test_the_list_is_paginated(instructor_client):
    """Twenty-five drafts a page; the rest on the next."""
    section = SectionFactory()
    for _ in range(26):
        draft(section=section)
    first = instructor_client.get(DRAFTS).content.decode()
    assert first.count(">Use this quote</button>") == 25
    assert "Page 1 of 2" in first
    second = instructor_client.get(DRAFTS, {"p": 2}).content.decode()
    assert second.count(">Use this quote</button>") == 1


def test_a_get_changes_nothing(instructor_client):
    """Opening the list or a draft's page writes nothing: no quote, no history."""
    question = draft()
    before = history_count(question)
    instructor_client.get(DRAFTS)
    instructor_client.get(change_url(question))
    instructor_client.get(LIST, {"source_quote": "missing"})
    question.refresh_from_db()
    assert question.source_quote == ""
    assert history_count(question) == before


@pytest.mark.parametrize("drafts", [3, 25])
def test_the_list_runs_a_fixed_number_of_queries(
    instructor_client, django_assert_max_num_queries, drafts
):
    """However many drafts, over one section or many:
    1. the session, 2. the user, 3. the user's own permissions, 4. their groups'
    permissions, 5. the drafts with their sections and documents, 6. their
    documents' sections (for the full texts), 7. the page's drafts' choices (for
    their keys)."""
    for n in range(drafts):
        draft(section=SectionFactory() if n % 2 else SectionFactory(order=0))
    with django_assert_max_num_queries(7):
        response = instructor_client.get(DRAFTS)
    assert response.content.decode().count(">Use this quote</button>") == drafts


def test_the_changelist_filters_drafts_lacking_a_quote(instructor_client):
    """ "Source quote: missing" keeps the drafts the list page would show, and the
    filter links to that page."""
    missing = draft()
    near = draft(source_quote="Intramuscular injection is used if IV fails.")
    draft(source_quote=QUOTE)
    QuestionFactory()
    response = instructor_client.get(LIST, {"source_quote": "missing"})
    rows = {q.pk for q in response.context["cl"].result_list}
    assert rows == {missing.pk, near.pk}
    page = response.content.decode()
    assert DRAFTS in page
    assert "Suggest a quote for each draft" in page
    assert Question.objects.count() == 4


def test_a_publish_refused_for_want_of_a_quote_still_shows_the_suggestions(
    instructor_client,
):
    """Saving a draft as published without a quote is refused; the page that says
    so keeps the suggestions, since the question is still a draft as stored."""
    question = draft()
    choices = list(question.choices.all())
    data = {
        "section": question.section_id,
        "kind": question.kind,
        "status": QuestionStatus.PUBLISHED,
        "stem": question.stem,
        "explanation": question.explanation,
        "source_quote": "",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(choices),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for index, choice in enumerate(choices):
        data |= {
            f"choices-{index}-id": choice.pk,
            f"choices-{index}-question": question.pk,
            f"choices-{index}-position": choice.order,
            f"choices-{index}-text": choice.text,
            f"choices-{index}-rationale": choice.rationale,
        } | ({f"choices-{index}-is_correct": "on"} if choice.is_correct else {})
    response = instructor_client.post(change_url(question), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "before publishing this question" in page
    assert "Suggested source quotes" in page
