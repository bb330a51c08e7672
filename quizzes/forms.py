"""Forms of the trainee pages: validate what a plain (no-JS) form POST sends."""

from django import forms


class AnswerForm(forms.Form):
    """One question of an attempt: the choices ticked, the flag, and where to go next.

    The choices offered are the answer's frozen ``choice_order``, so an id that is
    not an option of this question is a form error before it reaches the service.
    Radio buttons and checkboxes both post ``choices``; the service refuses more
    than one choice for a single-answer question.
    """

    ACTIONS = [
        ("save", "Save"),
        ("previous", "Previous"),
        ("next", "Next"),
        ("confirm", "Confirm answer"),
        ("finish", "Finish"),
    ]

    question = forms.IntegerField(widget=forms.HiddenInput)
    choices = forms.TypedMultipleChoiceField(coerce=int, required=False)
    # The options struck out: every option has its checkbox, so the form always
    # sends the whole set (none ticked: none struck).
    struck = forms.TypedMultipleChoiceField(coerce=int, required=False)
    flagged = forms.BooleanField(required=False)
    # Tutor mode, with Confirm: how sure the trainee was (optional); a right answer
    # is then reviewed as Easy or Hard (``spaced.rating_for``).
    confidence = forms.ChoiceField(
        choices=[("", "Not said"), ("sure", "Sure"), ("unsure", "Unsure")],
        required=False,
    )
    action = forms.ChoiceField(choices=ACTIONS)

    def __init__(self, *args, choice_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = [(c, c) for c in choice_ids]
        self.fields["struck"].choices = [(c, c) for c in choice_ids]


class QuestionRefForm(forms.Form):
    """Just the question id of a posted answer form, to find the answer row first."""

    question = forms.IntegerField(min_value=1)


class ReviewSessionForm(forms.Form):
    """The "Review due" session's size, as a type only: its bounds are
    ``services.personal_tests.review_session_start``'s."""

    count = forms.IntegerField(required=False, label="Number of questions")


class BuilderForm(forms.Form):
    """The custom test builder's choices, as types only: the rules (bounds, pools,
    sections offered) are ``services.personal_tests``', whose refusals the view
    puts back on these fields."""

    sections = forms.TypedMultipleChoiceField(coerce=int, required=False)
    count = forms.IntegerField(required=False, label="Number of questions")
    mode = forms.ChoiceField(
        choices=[("tutor", "Tutor"), ("timed", "Timed")], required=False
    )
    seconds_per_question = forms.IntegerField(
        required=False, label="Seconds per question"
    )
    pools = forms.MultipleChoiceField(
        choices=[
            ("unused", "Unused"),
            ("incorrect", "Incorrect"),
            ("flagged", "Flagged"),
            ("all", "All"),
        ],
        required=False,
    )

    def __init__(self, *args, section_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = [(pk, pk) for pk in section_ids]
