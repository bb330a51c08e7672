"""Splitting a document into sections loses and duplicates nothing."""

from quizzes.splitting import (
    PREAMBLE_TITLE,
    looks_like_heading,
    split_markdown,
    split_plain_text,
    strip_markdown_headings,
    subtree_text,
)
from tests.conftest import SEED_MARKDOWN, SEED_TEXT

SEED_TOP_LEVEL_TITLES = [
    "Overview",
    "Understanding Ketamine: Medical Uses, Mental Health Applications, and Risks",
    "Ketamine-Assisted Therapy: A New Frontier in Depression Treatment",
    "Exploring Ketamine’s Potential Role in Addiction Therapy",
    "Routes of Ketamine Administration: An Overview",
    "Exploring the Potential of Ketamine in Addiction Treatment",
    "Understanding the Potential Disadvantages of Ketamine in Addiction Therapy",
    "Understanding the Potential Side Effects of Ketamine",
    "The Dangers of Ketamine Overdose: Symptoms and Risks",
    "Conclusion",
]


def read(path):
    return path.read_bytes().decode("utf-8")


def test_annotated_seed_without_markup_is_the_original_byte_for_byte():
    stripped = strip_markdown_headings(read(SEED_MARKDOWN))
    assert stripped.encode("utf-8") == SEED_TEXT.read_bytes()


def test_seed_sections_joined_in_order_reproduce_the_document_exactly():
    split = split_markdown(read(SEED_MARKDOWN))
    assert split.text == read(SEED_TEXT)
    assert "".join(s.text for s in split.sections) == read(SEED_TEXT)


def test_seed_has_ten_top_level_sections_opening_summary_titled_overview():
    split = split_markdown(read(SEED_MARKDOWN))
    top = [s.title for s in split.sections if s.level == 1]
    assert top == SEED_TOP_LEVEL_TITLES


def test_seed_subheadings_are_subsections_of_their_article():
    split = split_markdown(read(SEED_MARKDOWN))
    by_title = {s.title: s for s in split.sections}
    for sub, article in [
        ("What Is Ketamine?", SEED_TOP_LEVEL_TITLES[1]),
        ("Bladder Problems", SEED_TOP_LEVEL_TITLES[7]),
        (
            "1. Reduction of Cravings",
            "Potential Advantages of Ketamine in Addiction Treatment",
        ),
    ]:
        parent = split.sections[by_title[sub].parent_order]
        assert parent.title == article
    assert by_title["1. Reduction of Cravings"].level == 3


def test_each_section_text_starts_with_its_heading_line():
    split = split_markdown(read(SEED_MARKDOWN))
    for section in split.sections[1:]:
        assert section.text.startswith(section.title + "\n")


def test_subtree_text_of_an_article_holds_its_subsections_and_stops_at_the_next():
    split = split_markdown(read(SEED_MARKDOWN))
    index = next(i for i, s in enumerate(split.sections) if s.title == "Conclusion")
    routes = next(
        i for i, s in enumerate(split.sections) if s.title.startswith("Routes")
    )
    text = subtree_text(split.sections, routes)
    assert "5. Subcutaneous Administration" in text
    assert "Exploring the Potential of Ketamine" not in text
    assert subtree_text(split.sections, index) == split.sections[index].text


def test_text_before_the_first_heading_is_a_preamble_section():
    split = split_markdown("Intro line.\n# First\nBody.\n")
    assert [s.title for s in split.sections] == [PREAMBLE_TITLE, "First"]
    assert split.sections[0].text == "Intro line.\n"


def test_no_preamble_section_when_the_document_starts_with_a_heading():
    split = split_markdown("# First\nBody.\n## Sub\nMore.")
    assert [(s.title, s.level, s.parent_order) for s in split.sections] == [
        ("First", 1, None),
        ("Sub", 2, 0),
    ]


def test_repeated_titles_get_distinct_slugs_in_document_order():
    split = split_markdown("# A\n## Notes\nx\n# B\n## Notes\ny\n")
    assert [s.slug for s in split.sections] == ["a", "notes", "b", "notes-2"]


def test_crlf_line_endings_survive_the_split():
    text = "# A\r\nBody\r\n# B\r\nMore\r\n"
    split = split_markdown(text)
    assert "".join(s.text for s in split.sections) == "A\r\nBody\r\nB\r\nMore\r\n"


def test_plain_text_seed_splits_on_the_same_headings_all_top_level():
    plain = split_plain_text(read(SEED_TEXT))
    annotated = split_markdown(read(SEED_MARKDOWN))
    assert [s.title for s in plain.sections] == [s.title for s in annotated.sections]
    assert {s.level for s in plain.sections} == {1}
    assert "".join(s.text for s in plain.sections) == read(SEED_TEXT)


def test_heading_shape_rejects_sentences_bullets_and_lead_ins():
    assert looks_like_heading("What Is Ketamine?\n")
    assert looks_like_heading("1. Intravenous (IV) Infusion\n")
    assert not looks_like_heading("- Addiction\n")
    assert not looks_like_heading(
        "Ketamine is primarily used in medical settings for:\n"
    )
    assert not looks_like_heading(
        "Prolonged recreational use can result in:- Cognitive impairment\n"
    )
    assert not looks_like_heading("Early studies indicate potential benefits.\n")
