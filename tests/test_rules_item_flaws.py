"""The item-writing flaw detectors of ``quizzes.rules`` (issue 13): for each, a
flawed example and a clean one, with the problem's code and whether it is a warning."""

from quizzes.rules import (
    Item,
    Problem,
    absolute_in_distractors,
    acknowledgement_problems,
    bank_problems,
    clang,
    document_balance_problems,
    key_length_problems,
    key_union,
    multiple_count_problems,
    near_duplicate_problems,
    problems_blocking,
    question_problems,
    stem_refers_to_text,
    true_false_balance_problems,
)
from tests.rule_values import C, Q


def single(key, *distractors):
    return [C(key, True), *(C(text) for text in distractors)]


def true_false(keyed_true: bool):
    return [C("True", keyed_true), C("False", not keyed_true)]


def with_correct(count: int, total: int = 5):
    texts = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    return [C(texts[i], i < count) for i in range(total)]


def test_absolute_term_only_in_distractors_is_a_warning():
    """“only” in a distractor and in no key lets a test-wise trainee rule it out."""
    problem = absolute_in_distractors(
        kind="single",
        choices=single(
            "Intramuscular injection",
            "Only an intravenous infusion",
            "Oral tablets",
            "Nasal spray",
        ),
    )
    assert problem.code == "absolute-in-distractors" and problem.warning
    assert "(“Only”) is in distractor 2" in problem


def test_absolute_term_in_a_key_too_or_in_no_option_is_clean():
    assert (
        absolute_in_distractors(
            kind="single",
            choices=single("Always under monitoring", "Never at home", "Oral", "Nasal"),
        )
        is None
    )
    assert (
        absolute_in_distractors(
            kind="single", choices=single("Intramuscular", "Oral", "Nasal", "Rectal")
        )
        is None
    )


def test_absolute_term_needs_a_whole_word():
    """“overall” and “tallest” hold “all” but are not absolute terms."""
    choices = single("Intramuscular", "Overall effect", "Tallest dose", "Nasal")
    assert absolute_in_distractors(kind="single", choices=choices) is None


def test_clang_a_stem_word_repeated_in_the_key_only_is_a_warning():
    """The stem's “infusion” (as “infusions”) is in the key and in no distractor."""
    problem = clang(
        kind="single",
        stem="A patient is due a ketamine infusion. What is monitored?",
        choices=single(
            "Vital signs during the infusions",
            "Nothing after discharge",
            "Blood glucose at home",
            "Weight each month",
        ),
    )
    assert problem.code == "clang" and problem.warning
    assert "“infusion”" in problem


def test_clang_needs_a_distractor_to_compare_with():
    """With every option keyed there is no cue (the key-count rule reports it)."""
    choices = [
        C("Vital signs during the infusion", True),
        C("Blood glucose", True),
        C("Weight", True),
        C("Mood", True),
    ]
    stem = "A patient is due a ketamine infusion. What is monitored?"
    assert clang(kind="single", stem=stem, choices=choices) is None


def test_clang_is_clean_when_distractors_share_the_word_or_it_is_a_stop_word():
    stem = "A patient is due a ketamine infusion. Which of the following is monitored?"
    assert (
        clang(
            kind="single",
            stem=stem,
            choices=single(
                "Vital signs during the infusion",
                "Nothing after the infusion",
                "Blood glucose at home",
                "Weight each month",
            ),
        )
        is None
    )
    # “following” is scaffolding of the question, not a content word.
    assert (
        clang(
            kind="single",
            stem=stem,
            choices=single("The following vital signs", "Nothing", "Glucose", "Weight"),
        )
        is None
    )


def test_key_joining_two_distractors_is_an_error():
    """“Nausea and vomiting” next to “Nausea” and “Vomiting”: the union of them."""
    problem = key_union(
        kind="single",
        choices=single("Nausea and vomiting", "Nausea", "Vomiting", "Hallucinations"),
    )
    assert problem.code == "key-union" and not problem.warning


def test_key_containing_every_distractor_is_an_error():
    problem = key_union(
        kind="single",
        choices=single(
            "Dizziness, nausea, headache; sometimes dizziness alone",
            "Dizziness",
            "Nausea",
            "Headache",
        ),
    )
    assert problem is not None and problem.code == "key-union"


def test_key_of_its_own_is_no_union():
    """Sharing a word with one distractor is not a union, nor is a word inside a
    longer word (“nausea” in “nauseated”)."""
    assert (
        key_union(
            kind="single",
            choices=single(
                "Rapid effects and craving reduction",
                "Delayed effects and craving reduction",
                "Rapid effects",
                "Nauseated",
            ),
        )
        is None
    )


def test_stem_referring_to_the_section_is_a_warning():
    for stem in (
        "What does the section say about nasal spray?",
        "According to the overview, which route is fastest?",
        "Which use do the authors name?",
    ):
        problem = stem_refers_to_text(stem=stem)
        assert problem is not None and problem.code == "stem-refers-to-text", stem
        assert problem.warning


def test_stem_set_in_a_clinical_situation_is_clean():
    assert (
        stem_refers_to_text(
            stem="A nurse reads the text message of a patient after a session. "
            "Which sign needs review?"
        )
        is not None
    ), "“the text” still reads as the reading: a warning to acknowledge"
    assert (
        stem_refers_to_text(stem="A patient has no IV access. Which route fits?")
        is None
    )


def test_question_problems_include_the_item_flaws_with_their_codes():
    problems = question_problems(
        question=Q(stem="According to the section, which route is fastest?"),
        choices=single("Intravenous", "Only oral", "Nasal", "Rectal"),
        section_text="quoted words",
    )
    assert [(p.code, p.warning) for p in problems] == [
        ("absolute-in-distractors", True),
        ("stem-refers-to-text", True),
    ]


def test_key_longest_in_more_than_35_percent_of_a_bank_is_an_error():
    """2 of 5 (40 %) with the strictly longest option as key is too many."""
    long_key = [single("A much longer key", "Bb", "Cc", "Dd") for _ in range(2)]
    even = [single("Aa", "Bb", "Cc", "Dd") for _ in range(3)]
    problems = key_length_problems(keyed_choices=long_key + even)
    assert [p.code for p in problems] == ["key-longest-share"]
    assert "2 of 5" in problems[0]


def test_key_shortest_in_more_than_35_percent_of_a_bank_is_an_error():
    short_key = [single("A", "Bbbb", "Cccc", "Dddd") for _ in range(2)]
    even = [single("Aa", "Bb", "Cc", "Dd") for _ in range(3)]
    assert [p.code for p in key_length_problems(keyed_choices=short_key + even)] == [
        "key-shortest-share"
    ]


def test_key_length_at_most_35_percent_is_clean_and_small_banks_are_not_checked():
    one_long = [single("A much longer key", "Bb", "Cc", "Dd")]
    one_short = [single("A", "Bbbb", "Cccc", "Dddd")]
    even = [single("Aa", "Bb", "Cc", "Dd") for _ in range(4)]
    assert key_length_problems(keyed_choices=one_long + one_short + even) == []
    assert key_length_problems(keyed_choices=one_long * 3) == []


def test_true_false_keyed_true_outside_40_to_60_percent_is_an_error():
    """1 of 5 keyed True (20 %) lets a trainee score by always answering False."""
    bank = [true_false(True)] + [true_false(False)] * 4
    problems = true_false_balance_problems(true_false_choices=bank)
    assert [p.code for p in problems] == ["true-false-balance"]
    assert "1 of 5" in problems[0]


def test_true_false_balanced_or_fewer_than_five_is_clean():
    balanced = [true_false(True)] * 2 + [true_false(False)] * 3
    assert true_false_balance_problems(true_false_choices=balanced) == []
    assert true_false_balance_problems(true_false_choices=[true_false(True)] * 4) == []


def test_one_number_correct_in_more_than_60_percent_of_multiples_is_an_error():
    """4 of 5 select-all items with exactly three correct options."""
    bank = [with_correct(3)] * 4 + [with_correct(2)]
    problems = multiple_count_problems(multiple_choices=bank)
    assert [p.code for p in problems] == ["multiple-count-spread"]
    assert "exactly 3 correct" in problems[0]


def test_number_correct_spread_or_fewer_than_five_is_clean():
    spread = [with_correct(3)] * 3 + [with_correct(2), with_correct(4)]
    assert multiple_count_problems(multiple_choices=spread) == []
    assert multiple_count_problems(multiple_choices=[with_correct(3)] * 4) == []


def test_bank_and_document_rules_read_each_kind_of_item():
    items = [
        Item(label=f"tf-{i}", kind="true_false", stem="s", choices=true_false(False))
        for i in range(5)
    ] + [
        Item(label=f"m-{i}", kind="multiple", stem="s", choices=with_correct(2))
        for i in range(5)
    ]
    codes = {"true-false-balance", "multiple-count-spread"}
    assert {p.code for p in bank_problems(items=items)} == codes
    assert {p.code for p in document_balance_problems(items=items)} == codes


def test_near_duplicate_stems_are_a_warning_on_both_items():
    items = [
        Item("a-1", "single", "Which route fits a patient without IV access?", []),
        Item("b-7", "single", "Which route fits a patient without IV access now?", []),
        Item("c-2", "single", "What is monitored during a session?", []),
    ]
    found = near_duplicate_problems(items=items)
    assert set(found) == {0, 1}
    assert "near-duplicate of b-7" in found[0][0]
    assert "near-duplicate of a-1" in found[1][0]
    assert found[0][0].code == "near-duplicate" and found[0][0].warning


def test_near_duplicate_three_shared_options_is_a_warning():
    options = ["Oral", "Nasal spray", "Intramuscular injection"]
    items = [
        Item("a-1", "single", "Which route is fastest?", single("IV", *options)),
        Item("a-2", "single", "Which avoids needles?", single("Rectal.", *options)),
    ]
    found = near_duplicate_problems(items=items)
    assert "3 option texts in common" in found[0][0]


def test_different_items_are_not_near_duplicates():
    items = [
        Item("a-1", "single", "Which route is fastest?", single("IV", "Oral", "A")),
        Item("a-2", "single", "What is monitored?", single("Pulse", "Oral", "C")),
    ]
    assert near_duplicate_problems(items=items) == {}


def test_acknowledged_warnings_stop_blocking_but_errors_never_do():
    """A warning acknowledged with a reason no longer stands; one acknowledged with
    a blank reason, an error, and a plain-text problem always do."""
    flaw = Problem("clang", code="clang", warning=True)
    error = Problem("union", code="key-union")
    assert problems_blocking([flaw, error, "plain"], acknowledged={"clang": "why"}) == [
        error,
        "plain",
    ]
    assert problems_blocking([flaw], acknowledged={"clang": " "}) == [flaw]
    assert problems_blocking([error], acknowledged={"key-union": "why"}) == [error]


def test_only_warnings_can_be_acknowledged_and_each_needs_a_reason():
    assert acknowledgement_problems({"clang": "the clinical term"}) == []
    assert "cannot be acknowledged" in acknowledgement_problems({"key-union": "x"})[0]
    assert "needs a reason" in acknowledgement_problems({"clang": ""})[0]


def test_a_problem_survives_copying_and_pickling_with_its_code():
    """Form errors are deep-copied, and caches pickle: the code must stay."""
    import copy
    import pickle

    flaw = Problem("clang", code="clang", warning=True)
    for again in (copy.deepcopy(flaw), pickle.loads(pickle.dumps(flaw))):
        assert (again, again.code, again.warning) == ("clang", "clang", True)
