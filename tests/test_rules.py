"""The item-writing rules, one test per rule."""

from quizzes.rules import (
    bank_cue_problems,
    choice_problems,
    minimum_questions,
    question_problems,
    quote_problems,
)
from tests.rule_values import C, Q


def options(*correct_flags, texts=None):
    texts = texts or ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    return [C(texts[i], flag) for i, flag in enumerate(correct_flags)]


def test_single_needs_exactly_one_correct_choice_and_says_how_many_are_marked():
    assert choice_problems(kind="single", choices=options(1, 0, 0, 0)) == []
    assert choice_problems(kind="single", choices=options(1, 1, 0, 0)) == [
        "a single-best-answer question needs exactly one correct choice; 2 are marked"
    ]
    assert (
        "0 are marked" in choice_problems(kind="single", choices=options(0, 0, 0, 0))[0]
    )


def test_multiple_needs_two_correct_and_one_wrong():
    assert choice_problems(kind="multiple", choices=options(1, 1, 0, 0)) == []
    assert choice_problems(kind="multiple", choices=options(1, 0, 0, 0))
    assert choice_problems(kind="multiple", choices=options(1, 1, 1, 1))


def test_true_false_needs_exactly_two_choices_true_and_false():
    assert (
        choice_problems(kind="true_false", choices=[C("True", True), C("False")]) == []
    )
    assert choice_problems(kind="true_false", choices=options(1, 0, 0))
    assert choice_problems(kind="true_false", choices=[C("Yes", True), C("No")])
    assert choice_problems(
        kind="true_false", choices=[C("True", True), C("False", True)]
    )


def test_single_and_multiple_need_four_or_five_options():
    assert choice_problems(kind="single", choices=options(1, 0, 0)) == [
        "it needs 4 to 5 choices; it has 3"
    ]
    assert choice_problems(kind="single", choices=options(1, 0, 0, 0, 0)) == []


def test_catch_all_options_are_refused():
    choices = [
        *options(1, 0, 0, texts=["Alpha", "Bravo", "Charlie"]),
        C("All of the above"),
    ]
    assert any(
        "catch-all" in p for p in choice_problems(kind="single", choices=choices)
    )


def test_every_choice_needs_a_rationale():
    choices = options(1, 0, 0, 0)
    choices[2].rationale = " "
    assert choice_problems(kind="single", choices=choices) == [
        "choice 3 has no rationale"
    ]


def test_duplicate_option_texts_are_refused():
    choices = options(1, 0, 0, 0, texts=["Alpha", "Bravo", "bravo", "Delta"])
    assert choice_problems(kind="single", choices=choices) == [
        "two choices have the same text"
    ]


def test_source_quote_must_appear_verbatim_in_the_section():
    assert (
        quote_problems(
            source_quote="the drug’s effects", section_text="the drug’s effects"
        )
        == []
    )
    problems = quote_problems(
        source_quote="the drug's effects", section_text="the drug’s effects"
    )
    assert "does not appear verbatim" in problems[0]
    assert quote_problems(source_quote="", section_text="x")


def test_unmarked_negative_stem_is_refused_but_capitals_are_allowed():
    q = Q(stem="Which route is not used?")
    assert any(
        "unmarked negative" in p
        for p in question_problems(
            question=q, choices=options(1, 0, 0, 0), section_text="quoted words"
        )
    )
    q = Q(stem="Which route is NOT used?")
    assert (
        question_problems(
            question=q, choices=options(1, 0, 0, 0), section_text="quoted words"
        )
        == []
    )


def test_not_inside_a_vignette_clause_is_not_a_negative_stem():
    q = Q(stem="A patient has no IV access, so IV is not feasible. Which route fits?")
    assert (
        question_problems(
            question=q, choices=options(1, 0, 0, 0), section_text="quoted words"
        )
        == []
    )
    q = Q(stem="Which of the following is not a listed route?")
    assert question_problems(
        question=q, choices=options(1, 0, 0, 0), section_text="quoted words"
    )
    q = Q(stem="All of these are listed routes except which one?")
    assert question_problems(
        question=q, choices=options(1, 0, 0, 0), section_text="quoted words"
    )


def test_question_needs_an_explanation():
    problems = question_problems(
        question=Q(explanation=""),
        choices=options(1, 0, 0, 0),
        section_text="quoted words",
    )
    assert problems == ["the explanation is empty"]


def test_bank_with_keys_always_in_one_position_is_flagged():
    bank = [options(1, 0, 0, 0) for _ in range(5)]
    assert any("option 1 in 5 of 5" in p for p in bank_cue_problems(keyed_choices=bank))


def test_bank_whose_key_is_mostly_the_longest_option_is_flagged():
    long_key = ["A much longer correct option", "Bravo", "Charlie", "Delta"]
    bank = []
    for position in range(4):
        texts = long_key[:]
        texts[0], texts[position] = texts[position], texts[0]
        flags = [0, 0, 0, 0]
        flags[position] = 1
        bank.append(options(*flags, texts=texts))
    problems = bank_cue_problems(keyed_choices=bank)
    assert problems == [
        "the key is the longest option in 4 of 4 questions (at most 35%); "
        "trainees learn to pick the longest option"
    ]


def test_balanced_bank_has_no_cue_problems():
    bank = []
    for position in range(4):
        flags = [0, 0, 0, 0]
        flags[position] = 1
        bank.append(options(*flags))
    assert bank_cue_problems(keyed_choices=bank) == []


def test_summary_sections_need_four_questions_and_articles_ten():
    assert minimum_questions("overview") == 4
    assert minimum_questions("conclusion") == 4
    assert minimum_questions("routes-of-ketamine-administration-an-overview") == 10
