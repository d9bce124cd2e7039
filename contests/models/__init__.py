"""Models of the contests feature: contests (``contests``) and the online quiz (``quiz``: rounds, the question bank,
participants, attempts, answers and flags)."""

from .contests import Contest, ContestKind, ContestPhase
from .identities import ReturnCode
from .quiz import (
    AttemptAnswer,
    AttemptFlag,
    AttemptQuestion,
    Difficulty,
    FlagKind,
    Participant,
    Prize,
    PublishedQuestion,
    Question,
    QuestionOption,
    QuizAttempt,
    QuizRound,
    QuizTopic,
    RoundState,
    UnitPopulation,
)

__all__ = [
    "AttemptAnswer",
    "AttemptFlag",
    "AttemptQuestion",
    "Contest",
    "ContestKind",
    "ContestPhase",
    "Difficulty",
    "FlagKind",
    "Participant",
    "Prize",
    "PublishedQuestion",
    "Question",
    "QuestionOption",
    "QuizAttempt",
    "QuizRound",
    "QuizTopic",
    "ReturnCode",
    "RoundState",
    "UnitPopulation",
]
