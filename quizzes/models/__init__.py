from quizzes.models.attempts import Answer, Attempt, AttemptRegrade, LateAnswer
from quizzes.models.documents import Section, SourceDocument
from quizzes.models.questions import Choice, Question, QuestionVersion
from quizzes.models.quizzes import (
    Accommodation,
    Quiz,
    QuizDraw,
    QuizOverride,
    QuizQuestion,
    QuizSebFile,
)
from quizzes.models.reports import ProblemReport
from quizzes.models.reviews import ReviewCard
from quizzes.models.trainees import DeadlineExtension, Trainee

__all__ = [
    "Accommodation",
    "Answer",
    "Attempt",
    "AttemptRegrade",
    "Choice",
    "DeadlineExtension",
    "LateAnswer",
    "ProblemReport",
    "Question",
    "QuestionVersion",
    "Quiz",
    "QuizDraw",
    "QuizOverride",
    "QuizQuestion",
    "QuizSebFile",
    "ReviewCard",
    "Section",
    "SourceDocument",
    "Trainee",
]
