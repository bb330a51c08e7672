"""Splitting a document into sections loses and duplicates nothing."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.splitting import (
    PREAMBLE_TITLE,
    HeadingChoiceError,
    looks_like_heading,
    split_markdown,
    split_plain_text,
    strip_markdown_headings,
    subtree_text,
)
from tests.conftest import SEDATION_NOTES, SEED_MARKDOWN, SEED_TEXT

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


# Issue 10: headings the shape rule misses are offered, and can be chosen.


def sedation_notes():
    return read(SEDATION_NOTES)


def test_sentence_case_and_colon_headings_are_candidates_not_sections():
    """The shape rule does not take "How it is given" or "Monitoring:": they stay in
    the section before them, and are listed as candidates with the reason."""
    split = split_plain_text(sedation_notes())
    assert [s.title for s in split.sections] == [
        "Ketamine for Procedural Sedation",
        "Recovery",
    ]
    assert [(c.line, c.text, c.reason) for c in split.candidates] == [
        (4, "How it is given", "sentence case: too few capitalised words"),
        (7, "Monitoring:", "ends with a colon"),
    ]


def test_chosen_heading_lines_become_sections_and_drop_the_colon_from_the_title():
    split = split_plain_text(sedation_notes(), heading_lines=[4, 7])
    assert [(s.title, s.slug, s.line, s.level) for s in split.sections] == [
        ("Ketamine for Procedural Sedation", "ketamine-for-procedural-sedation", 1, 1),
        ("How it is given", "how-it-is-given", 4, 1),
        ("Monitoring", "monitoring", 7, 1),
        ("Recovery", "recovery", 10, 1),
    ]
    assert split.sections[2].text.startswith("Monitoring:\nWatch pulse oximetry")
    assert "".join(s.text for s in split.sections) == sedation_notes()
    assert split.candidates == []


def test_a_heading_pattern_must_match_the_whole_stripped_line():
    split = split_plain_text(
        sedation_notes(), heading_pattern=re.compile(r"How it is given|\w+:")
    )
    assert [s.title for s in split.sections] == [
        "Ketamine for Procedural Sedation",
        "How it is given",
        "Monitoring",
        "Recovery",
    ]
    partial = split_plain_text(sedation_notes(), heading_pattern=re.compile("How"))
    assert len(partial.sections) == 2


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([0], "line 0 is out of range: the file has 11 lines"),
        ([12], "line 12 is out of range: the file has 11 lines"),
    ],
)
def test_a_chosen_line_outside_the_document_is_refused(lines, message):
    with pytest.raises(HeadingChoiceError, match=message):
        split_plain_text(sedation_notes(), heading_lines=lines)


def test_a_chosen_blank_line_is_refused():
    with pytest.raises(HeadingChoiceError, match="line 2 is blank"):
        split_plain_text("Title Line\n\nBody.\n", heading_lines=[2])


def test_candidates_skip_sentences_bullets_lead_ins_and_wrapped_lines():
    text = (
        "Notes On Dosing\n"
        "The dose is weight based.\n"  # a sentence
        "- given slowly\n"  # a bullet
        "Ketamine is primarily used in medical settings for:\n"  # a lead-in
        "- Sedation\n"
        "Give it with care and\n"  # the first line of a wrapped paragraph
        "watch the airway.\n"
        "IV use\n"  # short words only
    )
    split = split_plain_text(text)
    assert [(c.line, c.reason) for c in split.candidates] == [
        (8, "no word longer than three letters")
    ]


def test_the_seed_offers_a_single_candidate():
    """The shape rule already takes the seed's headings: the list stays short."""
    split = split_plain_text(read(SEED_TEXT))
    assert len(split.candidates) == 1


def test_markdown_offers_unmarked_lines_and_a_chosen_one_is_a_peer_heading():
    """In Markdown a chosen line takes the level of the heading before it; fenced
    code and tables are never offered."""
    markdown = (
        "# Sedation\nIntro.\n## Dosing\n1 mg/kg.\n\nMonitoring:\nPulse oximetry.\n"
        "```\nHow it is given\n```\n| Drug table |\n"
    )
    split = split_markdown(markdown)
    assert [c.line for c in split.candidates] == [6]
    chosen = split_markdown(markdown, heading_lines=[6])
    assert [(s.title, s.level, s.parent_order) for s in chosen.sections] == [
        ("Sedation", 1, None),
        ("Dosing", 2, 0),
        ("Monitoring", 2, 0),
    ]
    assert "".join(s.text for s in chosen.sections) == strip_markdown_headings(markdown)


@settings(max_examples=200, deadline=None, database=None)
@given(
    lines=st.lists(
        st.one_of(
            st.sampled_from(["", "Title Line", "How it is given", "Monitoring:"]),
            st.text(max_size=30),
        ),
        min_size=1,
        max_size=30,
    ),
    endings=st.sampled_from(["\n", "\r\n"]),
    data=st.data(),
)
def test_any_choice_of_heading_lines_still_joins_back_to_the_document(
    lines, endings, data
):
    """Whichever non-blank lines are chosen as headings, in plain text or Markdown,
    the sections' texts joined in order are the document, byte for byte."""
    text = endings.join(lines) + data.draw(st.sampled_from(["", endings]))
    numbered = text.splitlines(keepends=True)
    eligible = [n for n, line in enumerate(numbered, 1) if line.strip()]
    chosen = data.draw(st.lists(st.sampled_from(eligible)) if eligible else st.just([]))
    plain = split_plain_text(text, heading_lines=chosen)
    assert "".join(s.text for s in plain.sections) == text
    assert {s.line for s in plain.sections} >= set(chosen)
    markdown = split_markdown(text, heading_lines=chosen)
    assert "".join(s.text for s in markdown.sections) == strip_markdown_headings(text)
