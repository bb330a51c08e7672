"""The quiz's "Safe Exam Browser" settings in the admin: keys validated, the .seb
file uploaded (its Config Key computed and shown), replaced or removed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.models import Quiz, QuizSebFile
from quizzes.seb import SEB_FILE_MAX_BYTES
from tests.admin.test_quizzes import ADD, quiz_form
from tests.factories import QuizFactory
from tests.test_seb import BROWSER_EXAM_KEY, EXAM_CONFIG_KEY, fixture

pytestmark = pytest.mark.django_db


def seb_upload(name: str = "exam.seb", content: bytes | None = None):
    data = fixture(name) if content is None else content
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def errors(response) -> dict:
    return response.context["adminform"].form.errors


class TestUpload:
    def test_uploaded_file_is_stored_and_its_config_key_allowed(
        self, instructor_client
    ):
        response = instructor_client.post(
            ADD, quiz_form(seb_required="on", seb_file=seb_upload())
        )
        assert response.status_code == 302, errors(response)
        quiz = Quiz.objects.get(slug="routes-exam")
        assert quiz.seb_required
        assert quiz.seb_file_config_key == EXAM_CONFIG_KEY
        assert bytes(quiz.seb_file.content) == fixture("exam.seb")
        assert quiz.seb_file.name == "exam.seb"

    def test_change_page_shows_the_computed_key_and_the_download(
        self, instructor_client
    ):
        instructor_client.post(ADD, quiz_form(seb_file=seb_upload()))
        quiz = Quiz.objects.get(slug="routes-exam")
        page = instructor_client.get(
            reverse("admin:quizzes_quiz_change", args=[quiz.pk])
        ).content.decode()
        assert "Safe Exam Browser" in page
        assert f"<code>{EXAM_CONFIG_KEY}</code>" in page
        assert reverse("quiz_seb_file", args=[quiz.slug]) in page

    def test_compressed_file_gives_the_same_key(self, instructor_client):
        instructor_client.post(
            ADD, quiz_form(seb_file=seb_upload("exam-compressed.seb"))
        )
        quiz = Quiz.objects.get(slug="routes-exam")
        assert quiz.seb_file_config_key == EXAM_CONFIG_KEY

    def test_encrypted_file_is_refused_on_the_form(self, instructor_client):
        response = instructor_client.post(
            ADD, quiz_form(seb_required="on", seb_file=seb_upload("encrypted.seb"))
        )
        assert response.status_code == 200
        assert "is encrypted with a settings password" in str(
            errors(response)["seb_file"]
        )
        assert not Quiz.objects.filter(slug="routes-exam").exists()

    def test_malformed_file_is_refused_on_the_form(self, instructor_client):
        response = instructor_client.post(
            ADD, quiz_form(seb_file=seb_upload("malformed.seb"))
        )
        assert "“malformed.seb”: " in str(errors(response)["seb_file"])

    def test_oversized_file_is_refused(self, instructor_client):
        big = b"<" + b" " * SEB_FILE_MAX_BYTES
        response = instructor_client.post(
            ADD, quiz_form(seb_file=seb_upload("big.seb", big))
        )
        assert "is over 1024 KB" in str(errors(response)["seb_file"])

    def test_new_file_replaces_the_old_key(self, instructor_client):
        quiz = QuizFactory(seb_required=True, seb_file_config_key="a" * 64)
        QuizSebFile.objects.create(
            quiz=quiz, name="old.seb", content=b"old", uploaded_at=quiz.created_at
        )
        url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
        data = quiz_form(
            title=quiz.title, slug=quiz.slug, seb_required="on", seb_file=seb_upload()
        )
        assert instructor_client.post(url, data).status_code == 302
        quiz.refresh_from_db()
        assert quiz.seb_file_config_key == EXAM_CONFIG_KEY
        assert QuizSebFile.objects.get(quiz=quiz).name == "exam.seb"

    def test_removing_the_file_stops_allowing_its_key(self, instructor_client):
        quiz = QuizFactory(seb_file_config_key=EXAM_CONFIG_KEY)
        QuizSebFile.objects.create(
            quiz=quiz, name="exam.seb", content=b"x", uploaded_at=quiz.created_at
        )
        url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
        data = quiz_form(title=quiz.title, slug=quiz.slug, seb_file_clear="on")
        assert instructor_client.post(url, data).status_code == 302
        quiz.refresh_from_db()
        assert quiz.seb_file_config_key == ""
        assert not QuizSebFile.objects.filter(quiz=quiz).exists()


class TestKeys:
    def test_keys_one_a_line_are_saved(self, instructor_client):
        response = instructor_client.post(
            ADD,
            quiz_form(
                seb_required="on",
                seb_config_keys=f"{EXAM_CONFIG_KEY}\n",
                seb_browser_exam_keys=BROWSER_EXAM_KEY,
            ),
        )
        assert response.status_code == 302, errors(response)
        quiz = Quiz.objects.get(slug="routes-exam")
        assert quiz.seb_browser_exam_keys == BROWSER_EXAM_KEY

    def test_key_that_is_not_64_hex_digits_is_named_by_its_line(
        self, instructor_client
    ):
        response = instructor_client.post(
            ADD,
            quiz_form(
                seb_config_keys=f"{EXAM_CONFIG_KEY}\nnot-a-key",
                seb_browser_exam_keys="abc",
            ),
        )
        assert "Line 2: a key is 64 hexadecimal digits" in str(
            errors(response)["seb_config_keys"]
        )
        assert "Line 1: a key is 64" in str(errors(response)["seb_browser_exam_keys"])

    def test_requiring_seb_without_any_key_is_refused(self, instructor_client):
        response = instructor_client.post(ADD, quiz_form(seb_required="on"))
        assert "needs at least one Config Key or Browser Exam Key" in str(
            errors(response)["seb_required"]
        )

    def test_removing_the_only_key_of_a_seb_quiz_is_refused(self, instructor_client):
        quiz = QuizFactory(seb_required=True, seb_file_config_key=EXAM_CONFIG_KEY)
        url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
        data = quiz_form(
            title=quiz.title, slug=quiz.slug, seb_required="on", seb_file_clear="on"
        )
        response = instructor_client.post(url, data)
        assert response.status_code == 200
        assert "seb_required" in errors(response)
        quiz.refresh_from_db()
        assert quiz.seb_file_config_key == EXAM_CONFIG_KEY
