from quizzes.models.documents import Section, SourceDocument
from quizzes.models.questions import Choice, Question

__all__ = ["Choice", "Question", "Section", "SourceDocument"]
