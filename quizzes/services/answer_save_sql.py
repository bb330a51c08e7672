"""The autosave's one statement: a conditional UPDATE of an answer, per vendor.

An autosave is the hottest write of a sitting (every trainee of a cohort, every few
seconds), so its success path is one statement: the answer row is updated only if

- its attempt is the trainee's, in progress and within its deadline plus ``GRACE``;
- the answer is not locked (a confirmed tutor-mode answer);
- every choice (and every struck option) is one of the question's options (its
  frozen ``choice_order``), and more than one choice only for a multiple-answer
  question (the kind of the pinned version, else of the question);
- its ``seq``, when one is sent, is newer than the stored one;

and it returns the updated row and the attempt's deadline (``RETURNING``). The
chosen and struck ids are stored de-duplicated in display order, computed from
``choice_order`` in the same statement.

When no row changes, ``answer_update`` returns None and ``answer_save`` runs its
slow path, which finds out why and answers as before.

Raw SQL because the ORM's ``update()`` cannot return rows, nor take a row lock in
a sub-select. On PostgreSQL the attempt row is read ``FOR SHARE`` in a CTE: saves
of one attempt run side by side, while a submit (``attempt_finish``, which takes
it ``FOR UPDATE``) waits for them, and a save waiting for a submit sees, once it
commits, an attempt no longer in progress (READ COMMITTED re-checks a locked row),
so it never lands in a scored attempt. SQLite serialises writers: no lock clause.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.db import connection

from quizzes.choices import AttemptState, QuestionKind
from quizzes.models import Answer, Attempt, Question, QuestionVersion, Quiz
from quizzes.models.attempts import GRACE

_ANSWER = Answer._meta.db_table
_ATTEMPT = Attempt._meta.db_table
_QUESTION = Question._meta.db_table
_VERSION = QuestionVersion._meta.db_table
_QUIZ = Quiz._meta.db_table
_FIELDS = [f for f in Answer._meta.concrete_fields]
_ATTNAMES = [f.attname for f in _FIELDS]
_CONVERTERS: dict[str, list[list[tuple]]] = {}


def answer_update(
    *,
    attempt_id: int,
    trainee_id: int,
    question_id: int,
    choice_ids: list[int],
    struck: list[int] | None,
    flagged: bool | None,
    seq: int | None,
    now: datetime,
    seb_free: bool = False,
) -> tuple[Answer, datetime | None] | None:
    """Save the answer in one statement if every rule allows it: the updated
    answer and its attempt's deadline, or None when no row changed.

    ``seb_free``: only if the attempt's quiz does not require Safe Exam Browser
    (whose check needs the request: the caller's, on the slow path)."""
    if not all(
        fits_database_integer(i)
        for i in (attempt_id, trainee_id, question_id, seq or 0)
    ):
        # No such row; the ORM of the slow path says so (404) where a raw
        # parameter would overflow the database's integer (a 500).
        return None
    sql = _Statement(connection.vendor)
    ops = connection.ops
    chosen = json.dumps(sorted(set(choice_ids)))
    sets = [f"choice_ids = {sql.ordered()}", "saved_at = %s"]
    set_params: list = [chosen, ops.adapt_datetimefield_value(now)]
    where = [f"{sql.subset()}"]
    where_params: list = [chosen]
    if flagged is not None:
        sets.append("flagged = %s")
        set_params.append(flagged)
    if struck is not None:
        strikes = json.dumps(sorted(set(struck)))
        sets.append(f"struck = {sql.ordered()}")
        set_params.append(strikes)
        where.append(sql.subset())
        where_params.append(strikes)
    if seq is not None:
        sets.append("seq = %s")
        set_params.append(seq)
        where.append("a.seq < %s")
        where_params.append(seq)
    if len(set(choice_ids)) > 1:
        where.append(f"{sql.kind()} = %s")
        where_params.append(QuestionKind.MULTIPLE.value)
    attempt_params = [
        attempt_id,
        trainee_id,
        AttemptState.IN_PROGRESS.value,
        ops.adapt_datetimefield_value(now - GRACE),
    ]
    text, params = sql.update(
        sets=sets,
        set_params=set_params,
        where=where,
        where_params=[question_id, *where_params],
        attempt_params=attempt_params,
        seb_free=seb_free,
    )
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        row = cursor.fetchone()
    if row is None:
        return None
    converters = _row_converters()
    values = [_convert(value, converters[i], connection) for i, value in enumerate(row)]
    answer = Answer.from_db(connection.alias, _ATTNAMES, values[:-1])
    return answer, values[-1]


def fits_database_integer(value: int) -> bool:
    """Whether an id can be a parameter at all: SQLite refuses a Python int past
    64 bits with an OverflowError (a 500), where such an id is simply not found."""
    return -(2**63) <= value < 2**63


def _row_converters() -> list[list[tuple]]:
    """For each column the UPDATE returns (the answer's, then the deadline), the
    converters the ORM applies to it (JSON text parsed, SQLite's datetimes), with
    the column they take. Looked up once per vendor: finding them cost more than
    applying them, on every save (docs/performance.md)."""
    found = _CONVERTERS.get(connection.vendor)
    if found is None:
        columns = [f.get_col(_ANSWER) for f in _FIELDS]
        columns.append(Attempt._meta.get_field("deadline").get_col(_ATTEMPT))
        found = [
            [
                (converter, column)
                for converter in connection.ops.get_db_converters(column)
                + column.field.get_db_converters(connection)
            ]
            for column in columns
        ]
        _CONVERTERS[connection.vendor] = found
    return found


def _convert(value, converters: list[tuple], connection):
    """A column as the ORM would read it."""
    for converter, column in converters:
        value = converter(value, column, connection)
    return value


class _Statement:
    """The vendor's spelling of each piece of the UPDATE (the answer row is ``a``)."""

    def __init__(self, vendor: str):
        self.postgres = vendor == "postgresql"

    def ordered(self) -> str:
        """The ids of a JSON parameter that are options, in ``choice_order``'s order."""
        if self.postgres:
            return (
                "(SELECT COALESCE(jsonb_agg(o.e ORDER BY o.n), '[]'::jsonb) "
                "FROM jsonb_array_elements(a.choice_order) WITH ORDINALITY "
                "AS o(e, n) WHERE %s::jsonb @> jsonb_build_array(o.e))"
            )
        # A window with a whole frame: the array's order is guaranteed, which an
        # aggregate over an ordered sub-select is not (ORDER BY inside an aggregate
        # needs SQLite 3.44).
        return (
            "COALESCE((SELECT json_group_array(o.value) OVER (ORDER BY o.key ROWS "
            "BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) "
            "FROM json_each(a.choice_order) AS o WHERE o.value IN "
            "(SELECT value FROM json_each(%s)) LIMIT 1), '[]')"
        )

    def subset(self) -> str:
        """Every id of a JSON parameter is one of the answer's options."""
        if self.postgres:
            return "a.choice_order @> %s::jsonb"
        return (
            "NOT EXISTS (SELECT 1 FROM json_each(%s) AS c WHERE c.value NOT IN "
            "(SELECT value FROM json_each(a.choice_order)))"
        )

    def kind(self) -> str:
        """The question's kind: its pinned version's, else its own."""
        if self.postgres:
            content = "v.content->>'kind'"
        else:
            content = "json_extract(v.content, '$.kind')"
        return (
            f"COALESCE((SELECT {content} FROM {_VERSION} AS v "
            f"WHERE v.id = a.question_version_id), "
            f"(SELECT q.kind FROM {_QUESTION} AS q WHERE q.id = a.question_id))"
        )

    def update(
        self, *, sets, set_params, where, where_params, attempt_params, seb_free
    ) -> tuple[str, list]:
        columns = ", ".join(f"a.{f.column}" for f in _FIELDS)
        open_attempt = (
            f"SELECT t.id, t.deadline FROM {_ATTEMPT} AS t WHERE t.id = %s "
            "AND t.trainee_id = %s AND t.state = %s "
            "AND (t.deadline IS NULL OR t.deadline >= %s)"
        )
        if seb_free:
            # The quiz by its primary key, in the same statement: no extra query.
            open_attempt += (
                f" AND NOT EXISTS (SELECT 1 FROM {_QUIZ} AS z "
                "WHERE z.id = t.quiz_id AND z.seb_required)"
            )
        conditions = " AND ".join(where)
        if self.postgres:
            return (
                f"WITH open_attempt AS ({open_attempt} FOR SHARE) "
                f"UPDATE {_ANSWER} AS a SET {', '.join(sets)} FROM open_attempt "
                "WHERE a.attempt_id = open_attempt.id AND a.question_id = %s "
                f"AND a.locked_at IS NULL AND {conditions} "
                f"RETURNING {columns}, open_attempt.deadline",
                [*attempt_params, *set_params, *where_params],
            )
        # SQLite's RETURNING names columns unqualified, and no other table: the
        # deadline is a sub-select.
        columns = ", ".join(f.column for f in _FIELDS)
        return (
            f"UPDATE {_ANSWER} AS a SET {', '.join(sets)} "
            f"WHERE a.attempt_id IN (SELECT id FROM ({open_attempt})) "
            "AND a.question_id = %s AND a.locked_at IS NULL "
            f"AND {conditions} RETURNING {columns}, "
            f"(SELECT t.deadline FROM {_ATTEMPT} AS t WHERE t.id = attempt_id)",
            [*set_params, *attempt_params, *where_params],
        )
