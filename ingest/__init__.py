"""Plan files → clause tree with exact character offsets (the first stage of PlanQA).

Public API: `read_document` (file → source text), `load_manifest` / `resolve_metadata`
(who, when, which city), `parse_file` / `load_corpus` (file or directory → `ParsedDocument`s),
the records every later stage consumes, the figures a plan states (`extract_figures`, with
`parse_number`, the one number parser), and `IngestError`, the one error bad input raises.
"""
from ingest.corpus import CorpusResult, FileError, load_corpus, parse_file
from ingest.errors import IngestError
from ingest.figures import document_figures, extract_figures
from ingest.metadata import ManifestEntry, infer_metadata, load_manifest, resolve_metadata
from ingest.lexicon import parse_number
from ingest.parse import parse_text
from ingest.readers import SUPPORTED_EXTENSIONS, read_document
from ingest.records import (
    Clause,
    DocumentMeta,
    Figure,
    Heading,
    IndicatorRecord,
    ParsedDocument,
    TaskRecord,
    YearValue,
)
from ingest.settings import IngestSettings

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "Clause",
    "CorpusResult",
    "DocumentMeta",
    "Figure",
    "FileError",
    "Heading",
    "IndicatorRecord",
    "IngestError",
    "IngestSettings",
    "ManifestEntry",
    "ParsedDocument",
    "TaskRecord",
    "YearValue",
    "document_figures",
    "extract_figures",
    "infer_metadata",
    "load_corpus",
    "load_manifest",
    "parse_file",
    "parse_number",
    "parse_text",
    "read_document",
    "resolve_metadata",
]
