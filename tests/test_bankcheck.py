"""``python -m quizzes.bankcheck``: the rules on bank files, without a database."""

import textwrap

from quizzes.bankcheck import main

QUOTE = (
    "Ketamine, once a surgical anesthetic, is now explored for addiction and "
    "depression treatment."
)


OPTIONS = [
    "Alpha Bravo Gamma Delta",
    "Eagle Fable Giant Hotel",
    "India Joker Kilos Lemon",
    "Mango Noble Ocean Piano",
]


def overview_bank(tmp_path, *, acknowledge="", long_keys=False):
    """Four overview questions, keys in each position; the first names “the
    overview” in its stem. ``long_keys`` makes each key the longest option."""
    questions = []
    stems = [
        "According to the overview, what was ketamine once used as?",
        "A resident asks what ketamine was first used for in surgery. What was it?",
        "A patient asks what ketamine used to be given for. What do you answer?",
        "An intern writes a history of ketamine. What was its original use?",
    ]
    for number, stem in enumerate(stems, start=1):
        texts = OPTIONS[number - 1].split()
        key = texts[number - 1]
        if long_keys:
            texts[number - 1] = key = key + " and more"
        choices = "".join(
            f"""
            [[questions.choices]]
            text = "{text}"
            correct = {"true" if text == key else "false"}
            rationale = "From the overview's first sentence."
            """
            for text in texts
        )
        questions.append(
            f"""
            [[questions]]
            ref = "overview-0{number}"
            kind = "single"
            stem = "{stem}"
            explanation = "Ketamine was once a surgical anesthetic."
            source_quote = "{QUOTE}"
            {acknowledge if number == 1 else ""}
            {choices}
            """
        )
    path = tmp_path / "00-overview.toml"
    path.write_text(
        textwrap.dedent(
            'document = "ketamine-clinical-overview"\nsection = "overview"\n'
        )
        + textwrap.dedent("".join(questions)),
        encoding="utf-8",
    )
    return str(path)


def test_bankcheck_reports_a_warning_with_its_code(tmp_path, capsys):
    """An unacknowledged warning is a problem: listed with its code, exit 1."""
    assert main([overview_bank(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "overview-01: [stem-refers-to-text warning] the stem refers to" in out


def test_bankcheck_passes_an_acknowledged_warning_and_prints_why(tmp_path, capsys):
    path = overview_bank(
        tmp_path,
        acknowledge='acknowledge = { stem-refers-to-text = "history of the text" }',
    )
    assert main([path]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "overview-01: acknowledged stem-refers-to-text: “history of the text”" in out
    assert "OK (4 questions" in out


def test_bankcheck_applies_the_bank_rules(tmp_path, capsys):
    """The key is the longest option in 4 of 4 questions: a bank error."""
    path = overview_bank(
        tmp_path,
        acknowledge='acknowledge = { stem-refers-to-text = "history of the text" }',
        long_keys=True,
    )
    assert main([path]) == 1
    assert "[key-longest-share] the key is the longest option in 4 of 4" in (
        capsys.readouterr().out
    )
