"""Shaping an attempt's questions and feedback for the pages and the API.

One place decides what a trainee may see of a question, so that the HTML pages and
the JSON API cannot drift apart on what they reveal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quizzes.choices import QuestionKind
from quizzes.models import Answer, Attempt, Choice, Question, Section
from quizzes.selectors import feedback_allowed
from quizzes.splitting import subtree_text
from quizzes.versions import question_content


def answers_versions(answers: list[Answer]) -> dict[int, dict]:
    """The content each answer shows (``quizzes.versions``), by question id.

    The version pinned at the attempt's start, whatever was edited since; answers
    older than versions show the live question (one query for their choices).
    ``answers`` come with ``select_related("question", "question_version")``.
    """
    contents = {
        a.question_id: a.question_version.content
        for a in answers
        if a.question_version_id
    }
    # An unpinned answer's live content is kept on it: a review page asks for it
    # three times (questions, feedback, passages) and pays one query.
    contents.update(
        {a.question_id: a._live_content for a in answers if hasattr(a, "_live_content")}
    )
    unpinned = [a for a in answers if a.question_id not in contents]
    if unpinned:
        choices: dict[int, list[Choice]] = {}
        for choice in Choice.objects.filter(
            question_id__in=[a.question_id for a in unpinned]
        ):
            choices.setdefault(choice.question_id, []).append(choice)
        for a in unpinned:
            a._live_content = question_content(
                a.question, choices.get(a.question_id, [])
            )
            contents[a.question_id] = a._live_content
    return contents


def attempt_questions(
    attempt: Attempt, answers: list[Answer] | None = None
) -> list[dict]:
    """The attempt's questions in their frozen order, choices in their frozen order.

    Each as the version the attempt is pinned to. Carries only what a trainee may
    always see: no key, rationale or explanation.
    """
    if answers is None:
        answers = list(attempt.answers.select_related("question", "question_version"))
    contents = answers_versions(answers)
    questions = []
    for a in answers:
        content = contents[a.question_id]
        texts = {c["id"]: c["text"] for c in content["choices"]}
        questions.append(
            {
                "id": a.question_id,
                "position": a.position,
                "kind": content["kind"],
                "stem": content["stem"],
                "choices": [
                    {"id": c, "text": texts[c]} for c in a.choice_order if c in texts
                ],
            }
        )
    return questions


def attempt_feedback(
    attempt: Attempt, *, answers: list[Answer], now: datetime
) -> list[dict]:
    """Key, rationales, explanation and source quote of each answer allowed to show."""
    return answers_feedback(
        [a for a in answers if feedback_allowed(attempt=attempt, answer=a, now=now)]
    )


def answers_feedback(shown: list[Answer]) -> list[dict]:
    """Key, rationales, explanation and source quote of every answer given, from
    the version each answer is pinned to.

    No review policy is applied here: a trainee's page goes through
    ``attempt_feedback``; only the instructors' review calls this directly.
    """
    if not shown:
        return []
    contents = answers_versions(shown)
    feedback = []
    for answer in shown:
        content = contents[answer.question_id]
        by_id = {c["id"]: c for c in content["choices"]}
        ordered = [by_id[c] for c in answer.choice_order if c in by_id]
        correct_ids = [c["id"] for c in ordered if c["is_correct"]]
        feedback.append(
            {
                "question_id": answer.question_id,
                "correct": set(correct_ids) == set(answer.choice_ids),
                "score": None if answer.score is None else float(answer.score),
                "correct_choice_ids": correct_ids,
                "choices": [
                    {
                        "id": c["id"],
                        "is_correct": c["is_correct"],
                        "rationale": c["rationale"],
                    }
                    for c in ordered
                ],
                "explanation": content["explanation"],
                "source_quote": content["source_quote"],
            }
        )
    return feedback


def review_items(
    *, answers: list[Answer], questions: list[dict], feedback: list[dict]
) -> list[dict]:
    """One item per answer for a review page: the question, each choice with
    whether it was chosen (and its key and rationale where ``feedback`` has them),
    the outcome in words and the source passage.

    ``answers`` come with their question; ``questions`` is ``attempt_questions`` of
    them, and ``feedback`` what ``attempt_feedback`` (or, for instructors,
    ``answers_feedback``) released.
    """
    by_question = {f["question_id"]: f for f in feedback}
    passages = question_passages(pinned_questions(answers))
    items = []
    for answer, question in zip(answers, questions, strict=True):
        shown = by_question.get(answer.question_id)
        items.append(
            {
                "answer": answer,
                "question": question,
                "kind_label": QuestionKind(question["kind"]).label,
                "choices": choice_rows(question, answer, shown),
                "feedback": shown,
                "outcome": answer_outcome(answer),
                "passage": passages.get(answer.question_id),
            }
        )
    return items


# The review's filters, in the order of their links: the key of ``?show=`` and its
# label. "Not correct" takes in wrong, partly correct and unanswered questions:
# everything short of the full point is worth reading again.
REVIEW_FILTERS = {"all": "All", "incorrect": "Not correct", "flagged": "Flagged"}


def review_shows(answer: Answer, show: str) -> bool:
    """Whether the filter ``show`` (a ``REVIEW_FILTERS`` key) keeps ``answer``."""
    if show == "incorrect":
        return not answer.is_answered or float(answer.score or 0) < 1
    if show == "flagged":
        return answer.flagged
    return True


def review_filter_links(answers: list[Answer], show: str) -> list[dict]:
    """One link per review filter: its key, label, how many questions it keeps and
    whether it is the current one."""
    return [
        {
            "key": key,
            "label": label,
            "count": sum(1 for a in answers if review_shows(a, key)),
            "current": key == show,
        }
        for key, label in REVIEW_FILTERS.items()
    ]


def choice_rows(question: dict, answer: Answer, feedback: dict | None) -> list[dict]:
    """Each option with whether it was chosen; its key and rationale only when the
    presenter released feedback for this answer."""
    by_id = {c["id"]: c for c in feedback["choices"]} if feedback else {}
    rows = []
    for choice in question["choices"]:
        row = {
            "id": choice["id"],
            "text": choice["text"],
            "chosen": choice["id"] in answer.choice_ids,
            # Struck out by the trainee: shown, never scored.
            "struck": choice["id"] in answer.struck,
        }
        if choice["id"] in by_id:
            row["is_key"] = by_id[choice["id"]]["is_correct"]
            row["rationale"] = by_id[choice["id"]]["rationale"]
        rows.append(row)
    return rows


KIND_HINTS = {
    QuestionKind.MULTIPLE: "Select all that apply.",
    QuestionKind.SINGLE: "Choose one answer.",
    QuestionKind.TRUE_FALSE: "Choose one answer.",
}


def kind_hint(*, kind: str, stem: str) -> str | None:
    """How many options to choose, said once: None when the stem already says it.

    Imported stems often end "(Select all that apply.)"; the page's own hint
    under it would repeat the instruction word for word.
    """
    hint = KIND_HINTS[QuestionKind(kind)]
    said = " ".join(hint.rstrip(".").lower().split())
    return None if said in " ".join(stem.lower().split()) else hint


def answer_outcome(answer: Answer) -> str:
    """The answer's result in words (the stored score of a finished attempt)."""
    if not answer.is_answered:
        return "Not answered (0 points)"
    if answer.score is None:
        # Only an instructor reviews an attempt still in progress.
        return "Answered (not scored yet: the attempt is in progress)"
    score = float(answer.score)
    if score >= 1:
        return "Correct (1 point)"
    if score > 0:
        return f"Partly correct ({score:g} of 1 point)"
    return "Incorrect (0 points)"


@dataclass(frozen=True)
class PinnedQuestion:
    """What ``question_passages`` reads of a question, as its pinned version has it."""

    pk: int
    section_id: int
    source_quote: str


def pinned_questions(answers: list[Answer]) -> list[PinnedQuestion]:
    """Each answer's question as its pinned version quotes its section."""
    contents = answers_versions(answers)
    return [
        PinnedQuestion(
            pk=a.question_id,
            section_id=contents[a.question_id]["section_id"],
            source_quote=contents[a.question_id]["source_quote"],
        )
        for a in answers
    ]


def question_passages(
    questions: list[Question] | list[PinnedQuestion],
) -> dict[int, dict]:
    """Each question's section text split around its source quote, for ``<mark>``.

    One query for the sections of every document involved; a section's text is its
    own plus its subsections' (``Section.full_text``), which is where the quote was
    checked to appear verbatim. The parts are plain strings, escaped by the template.
    """
    if not questions:
        return {}
    documents = Section.objects.filter(pk__in={q.section_id for q in questions}).values(
        "document_id"
    )
    sections = list(
        Section.objects.filter(document_id__in=documents)
        .order_by("document_id", "order")
        .only("id", "document_id", "order", "level", "title", "text")
    )
    index = {s.pk: i for i, s in enumerate(sections)}
    passages = {}
    for question in questions:
        i = index.get(question.section_id)
        if i is None:
            continue
        # Not found (the section was edited since): the whole text, nothing marked.
        before, quote, after = subtree_text(sections, i).partition(
            question.source_quote
        )
        passages[question.pk] = {
            "section_title": sections[i].title,
            "before": before,
            "quote": quote,
            "after": after,
            "source_quote": question.source_quote,
        }
    return passages
