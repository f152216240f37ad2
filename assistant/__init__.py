"""The assistant's front door: everything a caller needs to ask the plans.

    from assistant import Assistant, Filters

    question = "南京到2025年高新技术企业要达到多少家？"
    answer = Assistant.from_index().ask(question, filters=Filters(cities=("南京市",)))
    answer.text, answer.citations, answer.record(question)  # the last is the JSON contract

Names are imported on first use (PEP 562), so `import assistant.contract` alone stays light.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.composers.compare import NOT_SET
    from assistant.composers.eligibility import NEEDS as ELIGIBILITY_NEEDS
    from assistant.composers.eligibility import SUBJECTS as ELIGIBILITY_SUBJECTS
    from assistant.composers.eligibility import needs_of as stated_needs
    from assistant.contract import (
        AnswerRecord,
        ApiAnswer,
        ChecklistItem,
        Citation,
        ComparisonResult,
        ComparisonRow,
        ConditionCheck,
        DroppedSentence,
        EligibilityResult,
        GenerationReport,
        PlanInfo,
        Profile,
        Retrieved,
        SearchHit,
        SourceCitation,
    )
    from assistant.query import concept_of
    from assistant.service import (
        Assistant,
        AssistantSettings,
        QuestionError,
        clean_question,
    )
    from assistant.structured import compare_question, profile_question
    from assistant.tools import (
        InputError,
        Unavailable,
    )
    from index.embeddings import EmbeddingModelError
    from index.settings import IndexSettings
    from index.retriever import FilterError, Filters
    from index.versions import IndexUnavailableError

# public name → (module, name there)
_EXPORTS = {
    "Assistant": ("assistant.service", "Assistant"),
    "AssistantSettings": ("assistant.service", "AssistantSettings"),
    "QuestionError": ("assistant.service", "QuestionError"),
    "clean_question": ("assistant.service", "clean_question"),  # the question as the assistant reads it, or QuestionError
    "Answer": ("assistant.answer", "Answer"),
    "AnswerRecord": ("assistant.contract", "AnswerRecord"),
    "Citation": ("assistant.contract", "Citation"),
    "Retrieved": ("assistant.contract", "Retrieved"),
    "GenerationReport": ("assistant.contract", "GenerationReport"),  # what a generative backend kept and dropped
    "DroppedSentence": ("assistant.contract", "DroppedSentence"),
    "ComparisonRow": ("assistant.contract", "ComparisonRow"),
    "ChecklistItem": ("assistant.contract", "ChecklistItem"),
    "ConditionCheck": ("assistant.contract", "ConditionCheck"),
    "Filters": ("index.retriever", "Filters"),
    "FilterError": ("index.retriever", "FilterError"),
    "IndexSettings": ("index.settings", "IndexSettings"),
    "IndexUnavailableError": ("index.versions", "IndexUnavailableError"),
    "EmbeddingModelError": ("index.embeddings", "EmbeddingModelError"),
    # the vocabulary the page's controls and views share with the composers
    "ELIGIBILITY_SUBJECTS": ("assistant.composers.eligibility", "SUBJECTS"),  # kinds of applicant recognised
    "ELIGIBILITY_NEEDS": ("assistant.composers.eligibility", "NEEDS"),  # the needs a profile may state
    "stated_needs": ("assistant.composers.eligibility", "needs_of"),  # (profile, text) → the needs it states
    "NOT_SET": ("assistant.composers.compare", "NOT_SET"),  # a comparison cell whose plan sets no such target
    "concept_of": ("assistant.query", "concept_of"),  # indicator name → its concept
    # what other programs call (the JSON API, OpenAI-compatible chat, Dify retrieval, MCP): assistant/tools.py
    "Profile": ("assistant.contract", "Profile"),
    "SourceCitation": ("assistant.contract", "SourceCitation"),
    "ApiAnswer": ("assistant.contract", "ApiAnswer"),
    "ComparisonResult": ("assistant.contract", "ComparisonResult"),
    "EligibilityResult": ("assistant.contract", "EligibilityResult"),
    "PlanInfo": ("assistant.contract", "PlanInfo"),
    "SearchHit": ("assistant.contract", "SearchHit"),
    "InputError": ("assistant.tools", "InputError"),
    "Unavailable": ("assistant.tools", "Unavailable"),
    "compare_question": ("assistant.structured", "compare_question"),  # indicator + cities → the comparison question
    "profile_question": ("assistant.structured", "profile_question"),  # an applicant's profile → the eligibility question
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}") from None
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
