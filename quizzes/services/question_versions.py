"""The versions of questions that attempts are pinned to.

The rule, as Moodle's quiz has it: an attempt records, for each question, the
version it had when the attempt started; its review shows that version and it is
scored with that version's key, even when the key is corrected while the attempt
is in progress. Only a regrade (``services.regrade``) moves a finished attempt to
the current version.

A version is made when an attempt starts on content no version holds yet, not on
every save: an admin save writes the question and each choice in turn, and only
what a trainee met deserves a version. Drafts are never drawn, so editing a draft
never reaches a trainee; a published question's edit reaches new attempts at once
(as in Moodle, where attempts use the latest ready version), and never the
attempts already started.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from quizzes.models import Choice, QuestionVersion
from quizzes.versions import content_fingerprint, question_content


def question_versions_current(
    *,
    question_ids: Iterable[int],
    now: datetime,
    create: bool = True,
    choices: list[Choice] | None = None,
) -> dict[int, QuestionVersion]:
    """The version of each question's current content, by question id.

    Two queries (the choices with their questions, unless given as ``choices``
    with ``select_related("question")``; the versions kept), plus an insert and a
    read-back when some content is new. With ``create=False`` (a dry run) new
    content comes back as unsaved versions (``pk`` None) and nothing is written.
    A question without choices has no version.
    """
    if choices is None:
        choices = list(
            Choice.objects.filter(question_id__in=list(question_ids)).select_related(
                "question"
            )
        )
    grouped: dict[int, tuple] = {}
    for choice in choices:
        grouped.setdefault(choice.question_id, (choice.question, []))[1].append(choice)
    contents = {qid: question_content(q, cs) for qid, (q, cs) in grouped.items()}
    prints = {qid: content_fingerprint(c) for qid, c in contents.items()}
    current: dict[int, QuestionVersion] = {}
    last: dict[int, int] = {}
    # The content column is not read: equal fingerprints mean equal content,
    # which is already at hand.
    for version in QuestionVersion.objects.filter(question_id__in=contents).defer(
        "content"
    ):
        qid = version.question_id
        last[qid] = max(last.get(qid, 0), version.number)
        if version.fingerprint == prints[qid]:
            version.content = contents[qid]
            current[qid] = version
    new = [
        QuestionVersion(
            question_id=qid,
            number=last.get(qid, 0) + 1,
            fingerprint=prints[qid],
            content=contents[qid],
            created_at=now,
        )
        for qid in contents
        if qid not in current
    ]
    if new and create:
        # A concurrent start may insert the same content first: the unique
        # (question, fingerprint) keeps one row, which both then read back.
        QuestionVersion.objects.bulk_create(new, ignore_conflicts=True)
        for version in QuestionVersion.objects.filter(
            question_id__in=[v.question_id for v in new],
            fingerprint__in=[v.fingerprint for v in new],
        ).defer("content"):
            if version.fingerprint == prints[version.question_id]:
                version.content = contents[version.question_id]
                current[version.question_id] = version
    elif new:
        current.update({v.question_id: v for v in new})
    return current
