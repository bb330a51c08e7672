"""The hot endpoints run a fixed number of queries, whatever the number of questions.

Budgets, measured on SQLite (PostgreSQL runs the same statements):
- start (17): session, user, quiz, in-progress lookup, attempt count, the
  trainee's and their groups' overrides, fixed questions, draws, choices with
  their questions, the versions kept of those questions, savepoint, accommodation
  (quiz, then general), insert attempt, bulk insert answers, release, answers +
  questions + pinned versions for the response (choice texts come from the
  versions).
- start after an edit (19): as start, plus the insert of the new versions and
  their read-back (once per edit: later starts find them).
- start of a prepared attempt (9): session, user, quiz, the trainee's attempt in
  progress or prepared, the trainee's and their groups' overrides, accommodation
  (quiz, then general), the one conditional UPDATE that starts it, answers +
  questions + pinned versions for the response. No draw, no choices, no
  versions, no transaction, no insert: those were done by ``attempts_prepare``.
- save (3): session, user, and one conditional UPDATE of the answer
  (``services.answer_save_sql``): only if its attempt is the trainee's, in
  progress and within deadline plus grace (the attempt row read FOR SHARE on
  PostgreSQL), its quiz does not require Safe Exam Browser (a sub-select by the
  quiz's primary key; a SEB quiz's save takes the slow path, after the check of
  its headers), the answer is not locked, the choices and strike-outs are its
  options and the seq is newer; it sets choices, flag, strike-outs, seq and time
  and RETURNs the row and the attempt's deadline. No scoped read of the attempt,
  no transaction. Only a refused or replayed save reads more (the slow path:
  scoped attempt, savepoint, the answer with its attempt under lock, …).
- get (5): session, user, scoped attempt, answers + questions + pinned versions
  (the choice texts come with the versions).
- submit (14): session, user, scoped attempt, savepoint, lock, answers + kinds +
  pinned versions (their keys), bulk update of answer scores, attempt update, the
  trainee's review cards of the answered questions, one upsert of those cards
  (spaced review; none of the two when nothing was answered), release, quiz for
  the result, its regrade notices; after the commit, the quiz's LMS links (grade
  passback, ``quizzes.lti``: none here, so nothing more).
- get after review opens (6): as get (keys and rationales come with the
  versions), plus the result's regrade notices.
- tutor confirm (12): session, user, scoped attempt, savepoint, lock, the answer
  with its question and pinned version (its key scores the review), update of
  locked_at, the trainee's review card of the question, its upsert (spaced
  review), release, attempt refreshed, quiz for the feedback.
"""

import json

import pytest
from django.utils import timezone

from quizzes.choices import QuizMode
from quizzes.models import Attempt, Question
from quizzes.services.attempts import attempts_prepare
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

BUDGET = {
    "start": 17,
    "start_after_edit": 19,
    "start_prepared": 9,
    "save": 3,
    "get": 5,
    "submit": 14,
    "review": 6,
    "confirm": 12,
}


@pytest.fixture
def quizzes(db):
    section = SectionFactory()
    questions = [QuestionFactory(section=section) for _ in range(40)]
    return {
        10: QuizFactory(with_questions=questions[:10]),
        40: QuizFactory(with_questions=questions),
    }


@pytest.mark.parametrize("size", [10, 40])
def test_hot_endpoints_stay_within_budget(
    client,
    quizzes,
    size,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    quiz = quizzes[size]
    client.force_login(UserFactory())
    with django_assert_max_num_queries(BUDGET["start_after_edit"]):
        assert client.post(f"/api/quizzes/{quiz.slug}/attempts").status_code == 201
    client.force_login(UserFactory())
    with django_assert_max_num_queries(BUDGET["start"]):
        attempt = client.post(f"/api/quizzes/{quiz.slug}/attempts").json()
    question = Question.objects.get(pk=attempt["questions"][-1]["id"])
    choice, other = [c["id"] for c in attempt["questions"][-1]["choices"][:2]]
    # With a strike-out, which rides on the same UPDATE.
    with django_assert_max_num_queries(BUDGET["save"]):
        response = client.put(
            f"/api/attempts/{attempt['id']}/answers/{question.pk}",
            data=json.dumps({"choices": [choice], "struck": [other]}),
            content_type="application/json",
        )
    assert response.status_code == 200
    with django_assert_max_num_queries(BUDGET["get"]):
        assert client.get(f"/api/attempts/{attempt['id']}").status_code == 200
    # The commit's callbacks run inside the budget: grade passback is part of a
    # submit's cost.
    with (
        django_assert_max_num_queries(BUDGET["submit"]),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert client.post(f"/api/attempts/{attempt['id']}/submit").status_code == 200
    with django_assert_max_num_queries(BUDGET["review"]):
        assert client.get(f"/api/attempts/{attempt['id']}").json()["feedback"]


@pytest.mark.parametrize("size", [10, 40])
def test_the_start_of_a_prepared_attempt_is_far_cheaper(
    client, quizzes, size, django_assert_num_queries
):
    """The draw, the versions and the inserts were done ahead: starting a prepared
    attempt costs about half a fresh start, with one write, whatever its size."""
    quiz = quizzes[size]
    trainee = UserFactory()
    attempts_prepare(quiz=quiz, trainees=[trainee], now=timezone.now())
    client.force_login(trainee)
    with django_assert_num_queries(BUDGET["start_prepared"]) as ctx:
        response = client.post(f"/api/quizzes/{quiz.slug}/attempts")
    assert response.status_code == 201
    assert len(response.json()["questions"]) == size
    writes = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("SELECT")
    ]
    assert len(writes) == 1 and writes[0].startswith('UPDATE "quizzes_attempt"')
    assert Attempt.objects.get(trainee=trainee).state == "in_progress"


@pytest.mark.parametrize("size", [10, 40])
def test_tutor_confirm_stays_within_budget(
    client, quizzes, size, django_assert_max_num_queries
):
    """Confirming, which also reviews the answer's spaced-review card, costs the
    same whatever the size of the attempt."""
    quiz = quizzes[size]
    quiz.mode = QuizMode.TUTOR
    quiz.save(update_fields=["mode"])
    client.force_login(UserFactory())
    attempt = client.post(f"/api/quizzes/{quiz.slug}/attempts").json()
    question = attempt["questions"][-1]
    url = f"/api/attempts/{attempt['id']}/answers/{question['id']}"
    client.put(
        url,
        data=json.dumps({"choices": [question["choices"][0]["id"]]}),
        content_type="application/json",
    )
    with django_assert_max_num_queries(BUDGET["confirm"]):
        response = client.post(
            f"{url}/confirm",
            data=json.dumps({"confidence": "sure"}),
            content_type="application/json",
        )
    assert response.status_code == 200
