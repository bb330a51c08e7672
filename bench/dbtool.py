"""The benchmark's database side, run by ``bench/cohort.py`` with the server's settings.

python bench/dbtool.py trainees N PREFIX PASSWORD
    Create N trainees (PREFIX0001, …) in one bulk insert. The password is hashed
    once with the production hasher (PBKDF2-SHA256, Django's default iterations)
    and the hash is shared, so every login the benchmark makes costs what a real
    login costs, without paying N hashings to set the accounts up.

python bench/dbtool.py sessions PREFIX
    A logged-in session for each trainee whose username starts with PREFIX, as
    ``django.contrib.auth.login`` leaves it; prints {username: session key} as JSON.
    The fault drill's cohort is logged in before the exam opens: it drills faults,
    and leaves the cost of PBKDF2 logins to the cohort benchmark.

python bench/dbtool.py audit PREFIX ACKS.json
    Check every answer the server acknowledged with 200 against the database
    (the last acknowledged value of each attempt's question must be stored), and
    every attempt's stored score against a recomputation from its stored answers
    with ``quizzes.scoring.answer_score`` and the keys in the database. Prints a
    JSON report on stdout. ACKS.json may also list the saves the client gave up on
    ("unacked"): one of them stored after the last acknowledged save is not a loss.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    import django

    django.setup()


def create_trainees(count: int, prefix: str, password: str) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import get_hasher, make_password

    user_model = get_user_model()
    encoded = make_password(password)  # the production hasher, once
    user_model.objects.bulk_create(
        [
            user_model(
                username=f"{prefix}{i:04d}",
                first_name="Bench",
                last_name=f"Trainee {i}",
                password=encoded,
            )
            for i in range(1, count + 1)
        ],
        batch_size=500,
    )
    hasher = get_hasher()
    print(
        json.dumps(
            {
                "created": count,
                "hasher": hasher.algorithm,
                "iterations": getattr(hasher, "iterations", None),
            }
        )
    )


def create_sessions(prefix: str) -> None:
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {}
    for user in get_user_model().objects.filter(username__startswith=prefix):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[user.username] = session.session_key
    print(json.dumps(keys))


def audit(prefix: str, acks_path: str) -> None:
    from quizzes.choices import AttemptState
    from quizzes.models import Answer, Attempt, Choice
    from quizzes.scoring import answer_score

    with open(acks_path) as fh:
        data = json.load(fh)
    acks: list[dict] = data["acks"]
    client_results: dict[int, dict] = {
        r["attempt"]: r["result"] for r in data["results"] if r.get("result")
    }

    # The last acknowledged value of each (attempt, question). A trainee sends one
    # request at a time, so acknowledgement order is the order the server applied.
    last: dict[tuple[int, int], dict] = {}
    for ack in sorted(acks, key=lambda a: a["acked"]):
        last[(ack["attempt"], ack["question"])] = ack

    attempts = list(
        Attempt.objects.filter(trainee__username__startswith=prefix)
        .select_related("quiz")
        .order_by("pk")
    )
    attempt_ids = [a.pk for a in attempts]
    answers = list(
        Answer.objects.filter(attempt_id__in=attempt_ids).select_related("question")
    )
    stored = {(a.attempt_id, a.question_id): a for a in answers}
    correct: dict[int, set[int]] = {}
    for question_id, choice_id in Choice.objects.filter(
        question_id__in={a.question_id for a in answers}, is_correct=True
    ).values_list("question_id", "pk"):
        correct.setdefault(question_id, set()).add(choice_id)

    # Saves the client gave up on after the last acknowledged one (the fault drill):
    # the server may have applied one without the client hearing of it, so its
    # value stored instead is not a loss.
    maybe: dict[tuple[int, int], list] = {}
    for save in data.get("unacked", []):
        key = (save["attempt"], save["question"])
        if key in last and save["sent"] > last[key]["acked"]:
            maybe.setdefault(key, []).append([sorted(save["choices"]), save["flagged"]])

    lost, unacked_applied = [], 0
    for key, ack in last.items():
        answer = stored.get(key)
        if answer is None:
            lost.append({"attempt": key[0], "question": key[1], "stored": None})
        elif [sorted(answer.choice_ids), bool(answer.flagged)] in maybe.get(key, []):
            unacked_applied += 1
        elif sorted(answer.choice_ids) != sorted(ack["choices"]) or bool(
            answer.flagged
        ) != bool(ack["flagged"]):
            lost.append(
                {
                    "attempt": key[0],
                    "question": key[1],
                    "acknowledged": [ack["choices"], ack["flagged"]],
                    "stored": [answer.choice_ids, answer.flagged],
                }
            )

    by_attempt: dict[int, list] = {}
    for answer in answers:
        by_attempt.setdefault(answer.attempt_id, []).append(answer)
    mismatches, unfinished, client_disagrees = [], [], []
    for attempt in attempts:
        if attempt.state == AttemptState.IN_PROGRESS:
            unfinished.append(attempt.pk)
            continue
        rows = by_attempt.get(attempt.pk, [])
        recomputed = [
            answer_score(
                kind=a.question.kind,
                correct_ids=correct.get(a.question_id, set()),
                chosen_ids=a.choice_ids,
            )
            for a in rows
        ]
        total = sum(recomputed, start=Decimal(0))
        per_answer_ok = all(a.score == s for a, s in zip(rows, recomputed, strict=True))
        if (
            attempt.score != total
            or attempt.max_score != len(rows)
            or not per_answer_ok
        ):
            mismatches.append(
                {
                    "attempt": attempt.pk,
                    "stored": str(attempt.score),
                    "recomputed": str(total),
                    "max_score": attempt.max_score,
                    "answers": len(rows),
                }
            )
        seen = client_results.get(attempt.pk)
        if seen is not None and Decimal(str(seen["score"])) != attempt.score:
            client_disagrees.append(attempt.pk)

    print(
        json.dumps(
            {
                "attempts": len(attempts),
                "finished": len(attempts) - len(unfinished),
                "unfinished": len(unfinished),
                "answers_stored": len(answers),
                "answered": sum(1 for a in answers if a.choice_ids),
                "acks": len(acks),
                "acked_answers": len(last),
                "lost_answers": len(lost),
                "lost_examples": lost[:10],
                "unacked_applied": unacked_applied,
                "score_mismatches": len(mismatches),
                "mismatch_examples": mismatches[:10],
                "client_score_disagreements": len(client_disagrees),
                "passed": sum(
                    1
                    for a in attempts
                    if a.percent is not None and a.percent >= a.quiz.pass_mark
                ),
            }
        )
    )


def main(argv: list[str]) -> None:
    setup()
    if argv[:1] == ["trainees"] and len(argv) == 4:
        create_trainees(int(argv[1]), argv[2], argv[3])
    elif argv[:1] == ["sessions"] and len(argv) == 2:
        create_sessions(argv[1])
    elif argv[:1] == ["audit"] and len(argv) == 3:
        audit(argv[1], argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
