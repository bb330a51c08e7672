"""Malformed files get a clear error and leave the database as it was."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.models import Section, SourceDocument
from quizzes.services.documents import DocumentImportError, document_import

pytestmark = pytest.mark.django_db

GOOD = b"# Alpha\nAlpha body.\n# Beta\nBeta body.\n"


@pytest.fixture
def existing():
    """A document already imported under the name the bad files use."""
    document_import(name="doc.md", data=GOOD)
    return snapshot()


def snapshot():
    return (
        list(SourceDocument.objects.values_list("pk", "slug", "text", "checksum")),
        list(Section.objects.values_list("pk", "order", "slug", "text")),
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"\n \n", "the file is empty"),
        (bytes(range(256)) * 4, "binary"),
        ("# Überblick\nText in Latin-1.\n".encode("latin-1"), "not UTF-8"),
        ("# Title\nBody\n".encode("utf-16"), "binary"),
        (b"x" * (50 * 1024 * 1024), "the limit is 5,242,880"),
        (b"# One\n## Two\n### Three\n", "headings but no text"),
    ],
    ids=["empty", "blank", "binary", "latin-1", "utf-16", "50-MB", "headings-only"],
)
def test_malformed_file_is_refused_with_a_reason_and_nothing_changes(
    existing, data, reason
):
    with pytest.raises(DocumentImportError, match=reason) as error:
        document_import(name="doc.md", data=data)
    assert "\n" not in str(error.value)
    assert snapshot() == existing


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=st.one_of(
        st.binary(max_size=2048),
        # Text with heading markers, line breaks of every kind and stray NULs.
        st.lists(
            st.one_of(
                st.sampled_from(["# ", "## ", "### ", "\n", "\r\n", "\x00", " "]),
                st.text(max_size=40),
            ),
            max_size=40,
        ).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
    )
)
def test_arbitrary_bytes_import_or_refuse_cleanly(existing, data):
    """Whatever the bytes, the import either succeeds whole or refuses with a
    DocumentImportError and changes nothing: no other exception escapes."""
    try:
        result = document_import(name="fuzzed.md", data=data)
    except DocumentImportError:
        assert snapshot() == existing
    else:
        document = result.document
        joined = "".join(s.text for s in document.sections.order_by("order"))
        assert joined == document.text
        document.sections.all().delete()
        document.delete()
