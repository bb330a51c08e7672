"""Enumerations shared by the models and the pure rule modules."""

from django.db import models


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single best answer"
    MULTIPLE = "multiple", "Select all that apply"
    TRUE_FALSE = "true_false", "True / false"


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class QuizMode(models.TextChoices):
    EXAM = "exam", "Exam (feedback after the attempt)"
    TUTOR = "tutor", "Tutor (feedback after each confirmed answer)"


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", "Highest attempt"
    LATEST = "latest", "Latest attempt"
    FIRST = "first", "First attempt"
    AVERAGE = "average", "Average of attempts"


class ReviewShows(models.TextChoices):
    SCORE_ONLY = "score_only", "Score only"
    FULL = "full", "Score, keys and explanations"


class ReviewFrom(models.TextChoices):
    IMMEDIATELY = "immediately", "As soon as the attempt is finished"
    AFTER_CLOSE = "after_close", "After the quiz closes"


class AttemptState(models.TextChoices):
    # Created ahead of a scheduled exam (questions drawn, no clock yet): not an
    # attempt the trainee has made until it is started.
    PREPARED = "prepared", "Prepared (not started)"
    IN_PROGRESS = "in_progress", "In progress"
    FINISHED = "finished", "Finished"
    EXPIRED = "expired", "Closed by the clock"


class ReportCategory(models.TextChoices):
    WRONG_KEY = "wrong_key", "The key is wrong"
    UNCLEAR = "unclear", "The question is unclear"
    TYPO = "typo", "A typo"
    OUTDATED = "outdated", "Outdated practice"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"


class ReviewState(models.IntegerChoices):
    """A spaced-review card's FSRS state (the values of ``fsrs.State``)."""

    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"
