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
