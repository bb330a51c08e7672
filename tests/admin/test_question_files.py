"""Question files in the admin: upload → preview → confirm, and export (issue 12).

The admin calls the service (``quizzes.services.question_files``), which calls a
format. These tests use a small format of their own (``question_file_format``,
"lines") so that each says exactly what the file holds; the formats' grammars
have their own tests, and the browser test imports real GIFT.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse
from django.utils import timezone

from quizzes import formats
from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.models import Question
from quizzes.staging import QUESTION_FILE, upload_stage, upload_staged_claim
from tests.admin.factories import QuizDrawFactory
from tests.admin.question_file_format import parse
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("staging_dir", "lines_format"),
]
IMPORT = reverse("admin:quizzes_question_import")
PREVIEW = reverse("admin:quizzes_question_import_preview")
EXPORT = reverse("admin:quizzes_question_export")
CHANGELIST = reverse("admin:quizzes_question_changelist")

BANK = b"""Q routes | single | Which route when IV access fails? | IM works.
C 1.0 | Intramuscular | Right: the section says so.
C 0.0 | Oral | Too slow.
C 0.0 | Nasal |
S essay | this platform has no essay questions
Q signs | multiple | Which are signs of toxicity? |
C 0.5 | Agitation | One of two.
C 0.5 | Nystagmus |
C -1.0 | Bradycardia | Wrong.
"""
WITH_ERROR = BANK + b"E Question must have at least 2 answers\n"


class RecordingHandler(FileUploadHandler):
    """Stands for the handlers that store a file: counts the bytes they get."""

    received = 0

    def receive_data_chunk(self, raw_data, start):
        RecordingHandler.received += len(raw_data)
        return None

    def file_complete(self, file_size):
        return None


@pytest.fixture
def lines_format(monkeypatch):
    """The test format offered beside the real ones."""
    monkeypatch.setitem(formats.FORMATS, "lines", "tests.admin.question_file_format")


@pytest.fixture
def section(db):
    return SectionFactory(title="Routes", slug="routes")


def upload(client, section, data=BANK, name="bank.lines", **options):
    fields = {"file": SimpleUploadedFile(name, data), "section": section.pk}
    return client.post(IMPORT, {"format": "lines", **fields, **options})


def staged(staging_dir) -> list:
    return list(staging_dir.iterdir()) if staging_dir.exists() else []


def confirm(client, response, button="confirm"):
    return client.post(PREVIEW, {"upload": response.context["signed"], button: "1"})


def test_the_changelist_offers_the_import_for_the_section_it_shows(
    instructor_client, section
):
    page = instructor_client.get(f"{CHANGELIST}?section={section.pk}").content
    assert f'href="{IMPORT}?section={section.pk}"'.encode() in page
    form = instructor_client.get(f"{IMPORT}?section={section.pk}").context["form"]
    assert not form.is_bound, "a form just opened shows no errors"
    assert str(form["section"].value()) == str(section.pk)


def test_the_preview_shows_every_question_that_would_be_created(
    instructor_client, section
):
    """Line, name, kind, section, stem, each choice's weight as a percent with its
    key mark and feedback, explanation, scoring note; the skipped ones with their
    type and reason. Nothing is written."""
    response = upload(instructor_client, section)
    assert response.status_code == 200
    page = response.content.decode()
    summary = response.context["preview"]
    assert (len(summary.questions), len(summary.skipped)) == (2, 1)
    assert re.search(
        r"2 questions to create</strong>\s+as drafts, 1 skipped, 0 errors", page
    )
    first, second = response.context["questions"]
    assert first == {
        "line": 1,
        "name": "routes",
        "kind": "Single best answer",
        "section": "Routes",
        "stem": "Which route when IV access fails?",
        "explanation": "IM works.",
        "choices": [
            {
                "text": "Intramuscular",
                "weight": "100 %",
                "key": True,
                "feedback": "Right: the section says so.",
            },
            {"text": "Oral", "weight": "0 %", "key": False, "feedback": "Too slow."},
            {"text": "Nasal", "weight": "0 %", "key": False, "feedback": ""},
        ],
        "scoring_note": "",
        "problems": first["problems"],
    }
    assert [c["weight"] for c in second["choices"]] == ["50 %", "50 %", "-100 %"]
    assert second["scoring_note"]  # -100 % is not what our scoring gives
    assert "Line 6 ·</span> signs" in page
    assert "✓ key" in page and "Feedback: Right: the section says so." in page
    assert "essay" in page and "this platform has no essay questions" in page
    assert 'name="confirm"' in page
    assert not Question.objects.exists()


def test_a_questions_rule_problems_are_shown_in_the_preview(instructor_client, section):
    response = upload(instructor_client, section)
    first = response.context["questions"][0]
    assert first["problems"], "a draft without a source quote has problems"
    for problem in first["problems"]:
        assert problem in response.content.decode()


def test_confirm_creates_the_drafts_and_lists_them(instructor_client, section):
    """Confirm imports what the preview showed, as drafts, and lands on the
    question list filtered to them, with how many were created and skipped."""
    preview = upload(instructor_client, section)
    response = confirm(instructor_client, preview)
    created = list(Question.objects.order_by("pk"))
    assert [(q.name, q.status, q.section_id) for q in created] == [
        ("routes", QuestionStatus.DRAFT, section.pk),
        ("signs", QuestionStatus.DRAFT, section.pk),
    ]
    assert [c.fraction for c in created[1].choices.order_by("order")] == [
        0.5,
        0.5,
        -1.0,
    ]
    assert response.status_code == 302
    landing = instructor_client.get(response["Location"])
    assert {q.pk for q in landing.context["cl"].result_list} == {q.pk for q in created}
    assert "2 draft questions created from bank.lines; 1 skipped." in (
        landing.content.decode()
    )


def test_confirming_twice_creates_the_drafts_once(instructor_client, section):
    preview = upload(instructor_client, section)
    confirm(instructor_client, preview)
    again = confirm(instructor_client, preview)
    assert again.status_code == 400
    assert "no longer kept" in again.content.decode()
    assert Question.objects.count() == 2


def test_a_second_confirm_while_the_first_imports_is_refused(
    instructor_client, section
):
    """A double click on "Create" during a long import: the second request finds
    the upload claimed and creates nothing. (Claimed after the second request
    opened it, the claim itself refuses: tests/test_staging.py.)"""
    preview = upload(instructor_client, section)
    with upload_staged_claim(token=only_staged_token(preview)):
        second = confirm(instructor_client, preview)
    assert second.status_code == 400
    assert "This upload is no longer kept" in second.content.decode()
    assert not Question.objects.exists()


def only_staged_token(response) -> str:
    value = signing.loads(
        response.context["signed"], salt=f"quizzes.staging.{QUESTION_FILE}"
    )
    return value["token"]


def test_a_file_with_errors_is_not_confirmed_unless_invalid_ones_are_skipped(
    instructor_client, section
):
    """The errors are listed with their lines; Confirm is not offered, and the page
    says why and how to go on: "Preview again, skipping the invalid questions"
    offers it, and then only the valid questions are created."""
    preview = upload(instructor_client, section, WITH_ERROR)
    page = preview.content.decode()
    assert preview.context["can_confirm"] is False
    assert 'name="confirm"' not in page
    assert "Question must have at least 2 answers" in page
    assert '<td class="num" data-label="Line">10</td>' in page
    assert "“Skip invalid questions” was off" in page
    forced = confirm(instructor_client, preview)  # a forged or stale POST
    assert forced.status_code == 400
    assert "Nothing was created: bank.lines, line 10" in forced.content.decode()
    assert not Question.objects.exists()

    skipping = confirm(instructor_client, preview, "skip_invalid")
    assert skipping.context["can_confirm"] is True
    assert "will be skipped" in skipping.content.decode()
    done = confirm(instructor_client, skipping)
    assert done.status_code == 302
    assert Question.objects.count() == 2


def test_skip_invalid_ticked_at_the_upload_offers_confirm_at_once(
    instructor_client, section
):
    preview = upload(instructor_client, section, WITH_ERROR, skip_invalid="on")
    assert preview.context["can_confirm"] is True


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bank.lines", b"\n\n", "line 1: the file has no questions"),
        ("bank.lines", b"", "The submitted file is empty."),
        ("bank.lines", b"\xff\xfe\x00Q\n", "line 1: the line is not UTF-8"),
        ("bank.lines", b"E Unclosed { on line 3\n", "line 1: Unclosed { on line 3"),
    ],
    ids=["blank", "empty", "not-utf-8", "only-errors"],
)
def test_a_file_the_format_cannot_read_shows_its_errors_on_the_form(
    instructor_client, section, staging_dir, name, data, message
):
    response = upload(instructor_client, section, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "preview" not in response.context
    assert staged(staging_dir) == []  # the staged upload is deleted


def test_a_file_of_unknown_format_says_how_to_name_it(instructor_client, section):
    response = upload(instructor_client, section, name="bank.docx", format="")
    assert response.status_code == 400
    errors = response.context["form"].errors["format"]
    assert "cannot tell the format of “bank.docx”" in errors[0]


@pytest.mark.parametrize("forged", ["garbage", "a-document-upload"])
def test_a_forged_reference_is_refused(instructor_client, section, forged):
    """Garbage, or a reference signed for a document's upload (the same mechanism,
    another salt): the page says to upload again, and nothing is created."""
    signed = forged
    if forged == "a-document-upload":
        signed = upload_stage(name="notes.md", data=b"# A\nB\n")
    response = instructor_client.post(PREVIEW, {"upload": signed, "confirm": "1"})
    assert response.status_code == 400
    assert "has been altered; upload the file again" in response.content.decode()
    assert not Question.objects.exists()


def test_a_reference_older_than_a_day_is_refused(instructor_client, section):
    preview = upload(instructor_client, section)
    signed = preview.context["signed"]
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        response = instructor_client.post(PREVIEW, {"upload": signed, "confirm": "1"})
    assert response.status_code == 400
    assert "This upload has expired" in response.content.decode()
    assert not Question.objects.exists()


def test_choices_altered_in_the_reference_are_refused(instructor_client, section):
    """The section and options are signed with the upload: another section cannot
    be slipped in between the preview and the confirmation."""
    other = SectionFactory()
    preview = upload(instructor_client, section)
    value = signing.loads(
        preview.context["signed"], salt=f"quizzes.staging.{QUESTION_FILE}"
    )
    tampered = signing.dumps(
        {**value, "extra": {**value["extra"], "section": other.pk}}
    )
    response = instructor_client.post(PREVIEW, {"upload": tampered, "confirm": "1"})
    assert response.status_code == 400
    assert not Question.objects.exists()


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    instructor_client, section, settings, staging_dir
):
    """Judged on the request's Content-Length, before any of the file is stored:
    the form comes back with the limit, the other fields as they were."""
    settings.QUESTION_FILE_MAX_BYTES = 1000
    settings.FILE_UPLOAD_HANDLERS = [
        "quizsite.uploads.UploadLimitHandler",
        "tests.admin.test_question_files.RecordingHandler",
    ]
    RecordingHandler.received = 0
    big = b"Q x | single | stem | \n" * 4000  # ~90 kB: over the limit and allowance
    response = upload(instructor_client, section, big)
    assert response.status_code == 413
    error = response.context["form"].errors["file"][0]
    assert error.startswith("The upload is 90.1 KB (92,")
    assert "the limit is 1,000 bytes. Nothing of the file was kept" in error
    assert response.context["form"]["section"].value() == str(section.pk)
    assert RecordingHandler.received == 0
    assert staged(staging_dir) == []


def test_a_file_that_outgrows_the_limit_is_stopped_at_the_limit(
    instructor_client, section, settings
):
    """A body within Content-Length's allowance (or without one) is counted as it
    arrives, and the file dropped once it passes the limit."""
    settings.QUESTION_FILE_MAX_BYTES = 1000
    settings.FILE_UPLOAD_HANDLERS = [
        "quizsite.uploads.UploadLimitHandler",
        "tests.admin.test_question_files.RecordingHandler",
    ]
    RecordingHandler.received = 0
    response = upload(instructor_client, section, b"x" * 5000)
    assert response.status_code == 413
    assert (
        "“bank.lines” is over 1,000 bytes; the limit"
        in response.context["form"].errors["file"][0]
    )
    assert RecordingHandler.received <= 1000


def test_the_default_limit_is_20_mb(settings):
    assert settings.QUESTION_FILE_MAX_BYTES == 20 * 1024 * 1024


def test_a_document_upload_is_not_limited_by_the_question_file_limit(
    instructor_client, settings
):
    """The limit is the question-file view's own: other uploads keep theirs."""
    settings.QUESTION_FILE_MAX_BYTES = 10
    response = instructor_client.post(
        reverse("admin:quizzes_sourcedocument_add"),
        {"file": SimpleUploadedFile("doc.md", b"# A\nSome text.\n"), "title": "Doc"},
    )
    assert "preview" in response.context


@pytest.mark.parametrize("url", [IMPORT, PREVIEW, f"{EXPORT}?section=1"])
def test_a_trainee_is_sent_to_the_admin_login(client, url):
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_the_question_permissions_is_refused(client, section):
    """Staff who may not add questions cannot import; who may not view them cannot
    export."""
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(IMPORT).status_code == 403
    assert upload(client, section).status_code == 403
    assert client.post(PREVIEW, {"upload": "x", "confirm": "1"}).status_code == 403
    assert client.get(f"{EXPORT}?section={section.pk}").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_question"))
    assert client.get(f"{EXPORT}?section={section.pk}").status_code == 200
    assert client.get(IMPORT).status_code == 403
    assert not Question.objects.exists()


# Export.


def lines_of(response) -> list:
    """The downloaded file read back by the format."""
    return list(parse(io.BytesIO(response.content)))


def test_a_section_exports_its_questions_and_its_subsections(
    instructor_client, section
):
    child = SectionFactory(
        document=section.document, parent=section, order=section.order + 1, level=2
    )
    mine = QuestionFactory(section=section, name="mine")
    theirs = QuestionFactory(section=child, name="child", kind=QuestionKind.MULTIPLE)
    QuestionFactory(section=section, status=QuestionStatus.RETIRED)
    QuestionFactory()  # another section's
    page = instructor_client.get(f"{EXPORT}?section={section.pk}")
    assert page.status_code == 200
    assert page.context["count"] == 2
    response = instructor_client.get(f"{EXPORT}?section={section.pk}&format=lines")
    assert response["Content-Disposition"] == 'attachment; filename="routes.lines"'
    read = lines_of(response)
    assert [(q.name, q.kind, q.stem) for q in read] == [
        ("mine", mine.kind, mine.stem),
        ("child", theirs.kind, theirs.stem),
    ]
    assert [(c.text, c.fraction) for c in read[1].choices] == [
        ("Intravenous infusion", 0.5),
        ("Intramuscular injection", 0.5),
        ("Skin patch", -0.5),
        ("Eye drops", -0.5),
    ]


def test_the_export_page_lists_what_a_format_leaves_out_before_the_download(
    instructor_client, section
):
    QuestionFactory(section=section, name="kept")
    QuestionFactory(section=section, name="yes-or-no", kind=QuestionKind.TRUE_FALSE)
    page = instructor_client.get(f"{EXPORT}?section={section.pk}")
    (option,) = [o for o in page.context["options"] if o.name == "lines"]
    assert [skip.name for skip in option.left_out] == ["yes-or-no"]
    assert "Leaves out 1 of the 2" in page.content.decode()
    assert "yes-or-no — not in this format" in page.content.decode()


def test_a_quiz_exports_its_fixed_and_drawn_questions(instructor_client, section):
    fixed = QuestionFactory(name="fixed")
    drawn = QuestionFactory(section=section, name="drawn")
    QuestionFactory(section=section, name="draft", status=QuestionStatus.DRAFT)
    quiz = QuizFactory(with_questions=[fixed])
    QuizDrawFactory(quiz=quiz, section=section)
    response = instructor_client.get(f"{EXPORT}?quiz={quiz.pk}&format=lines")
    assert {q.name for q in lines_of(response)} == {fixed.name, drawn.name}
    change = instructor_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    assert f'href="{EXPORT}?quiz={quiz.pk}"'.encode() in change.content


def test_the_selected_questions_export_through_the_action(instructor_client, section):
    """The action shows the format page; its form posts the selection back with a
    format and gets the file. Nothing changes."""
    chosen = [QuestionFactory(section=section, name=f"q{n}") for n in range(3)]
    QuestionFactory(section=section, name="not chosen")
    selection = {
        "action": "export_selected",
        "_selected_action": [q.pk for q in chosen],
    }
    page = instructor_client.post(CHANGELIST, selection)
    assert page.status_code == 200
    assert page.context["count"] == 3
    html = page.content.decode()
    for question in chosen:
        assert f'name="_selected_action" value="{question.pk}"' in html
    response = instructor_client.post(CHANGELIST, {**selection, "format": "lines"})
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert [q.name for q in lines_of(response)] == ["q0", "q1", "q2"]
    assert Question.objects.filter(status=QuestionStatus.PUBLISHED).count() == 4


def test_a_section_has_its_export_link_wherever_sections_are_listed(
    instructor_client, section
):
    document = instructor_client.get(
        reverse("admin:quizzes_sourcedocument_change", args=[section.document_id])
    )
    assert f'href="{EXPORT}?section={section.pk}"'.encode() in document.content
    own = instructor_client.get(
        reverse("admin:quizzes_section_change", args=[section.pk])
    )
    assert f'href="{EXPORT}?section={section.pk}"'.encode() in own.content
    listed = instructor_client.get(reverse("admin:quizzes_section_changelist"))
    assert f'href="{EXPORT}?section={section.pk}"'.encode() in listed.content


# Query budgets: constant whatever the number of questions.


@pytest.mark.parametrize("size", [2, 20])
def test_the_preview_reads_a_fixed_number_of_queries(
    instructor_client, section, django_assert_max_num_queries, size
):
    data = b"".join(
        b"Q q%d | single | Stem %d? | \nC 1.0 | Yes | \nC 0.0 | No | \n" % (n, n)
        for n in range(size)
    )
    # 1 session, 2 user, 3-4 the user's and their group's permissions (may they
    # add questions), 5 the target section (the form's choice), 6 the section
    # with its document (the preview's), 7 the document's sections, 8 the stems
    # already in them.
    with django_assert_max_num_queries(8):
        response = upload(instructor_client, section, data)
    assert len(response.context["questions"]) == size


@pytest.mark.parametrize("size", [2, 20])
def test_the_export_page_and_file_read_a_fixed_number_of_queries(
    instructor_client, section, django_assert_max_num_queries, size
):
    for n in range(size):
        QuestionFactory(section=section, name=f"q{n}")
    # 1 session, 2 user, 3-4 the user's and their group's permissions (may they
    # view questions), 5 the section with its document and parents, 6 the
    # document's sections (the subtree), 7 the section's document id (a deferred
    # field the subtree reads), 8 the questions with their section and document,
    # 9 their choices. The page writes every format from that one read.
    with django_assert_max_num_queries(9):
        page = instructor_client.get(f"{EXPORT}?section={section.pk}")
    assert page.context["count"] == size
    # The file: the same reads.
    with django_assert_max_num_queries(9):
        instructor_client.get(f"{EXPORT}?section={section.pk}&format=lines")


def test_a_long_preview_is_shown_a_page_at_a_time(
    instructor_client, section, monkeypatch
):
    """Every question is counted in the summary, a page of them is shown in full,
    and the page's link leads to the next page of the same preview."""
    monkeypatch.setattr("quizzes.admin.question_files.PREVIEW_PAGE_SIZE", 1)
    response = upload(instructor_client, section)
    assert [q["name"] for q in response.context["questions"]] == ["routes"]
    assert "Questions to create — 1 to 1 of 2" in response.content.decode()
    (link,) = re.findall(r'href="([^"]+)" rel="next"', response.content.decode())
    following = instructor_client.get(link.replace("&amp;", "&"))
    assert [q["name"] for q in following.context["questions"]] == ["signs"]
    assert following.context["can_confirm"] is True


def test_the_preview_page_without_an_upload_leads_to_the_upload_form(
    instructor_client,
):
    response = instructor_client.get(PREVIEW)
    assert response.status_code == 302
    assert response["Location"] == IMPORT


# The real formats, through the admin: what an instructor uploads.


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bank.gift", b"::a:: Which? {=Yes ~No", "line 1: Unclosed {"),
        ("bank.xml", b'<quiz><question type="multichoice">', "Malformed XML"),
        ("bank.txt", b"Which?\nA. Yes\nB. No\nANSWER: Z\n", "line 4: ANSWER: Z"),
        ("bank.csv", b"\xff\xfe", "not UTF-8"),
    ],
    ids=["gift-unclosed", "xml-malformed", "aiken-unknown-letter", "csv-not-utf-8"],
)
def test_a_real_format_s_errors_show_on_the_form_with_their_line(
    instructor_client, section, name, data, message
):
    response = upload(instructor_client, section, data, name, format="")
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert not Question.objects.exists()


def test_questions_go_to_the_section_their_gift_category_names(
    instructor_client, section
):
    dosing = SectionFactory(document=section.document, title="Dosing", slug="dosing")
    gift = (
        b"$CATEGORY: ketamine/dosing\n\n::Dose::What is the IM dose? {=4 mg/kg ~1 mg"
        b"/kg}\n\n$CATEGORY: ketamine/elsewhere\n\n::Other::Is it an NMDA "
        b"antagonist? {T}\n"
    )
    preview = upload(
        instructor_client, section, gift, "bank.gift", format="", map_categories="on"
    )
    assert [q["section"] for q in preview.context["questions"]] == [
        "Dosing",
        "Routes",
    ]
    confirm(instructor_client, preview)
    assert dict(Question.objects.values_list("name", "section_id")) == {
        "Dose": dosing.pk,
        "Other": section.pk,
    }


def test_aiken_export_lists_the_questions_it_leaves_out_and_writes_the_rest(
    instructor_client, section
):
    QuestionFactory(section=section, name="single")
    QuestionFactory(section=section, name="several", kind=QuestionKind.MULTIPLE)
    page = instructor_client.get(f"{EXPORT}?section={section.pk}")
    (aiken,) = [o for o in page.context["options"] if o.name == "aiken"]
    assert [skip.name for skip in aiken.left_out] == ["several"]
    response = instructor_client.get(f"{EXPORT}?section={section.pk}&format=aiken")
    text = response.content.decode()
    assert "ANSWER: A" in text and "Intravenous infusion" not in text
