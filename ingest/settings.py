"""Ingest limits, read from `PLANQA_*` environment variables (pydantic-settings).

Limits exist so that one hostile or mistaken file (a 2 GB log, a zip bomb renamed .docx, a
.docx of a million empty paragraphs) is refused with a message instead of exhausting the
machine. Each is checked while the file is read, before anything is embedded: the unpacked
sizes from the zip directory before a byte is inflated, paragraphs while the Word XML is
streamed, pages while a PDF is read, characters and paragraphs of the text before it is
parsed, clauses after parsing.
"""
from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IngestSettings(BaseSettings):
    """Size limits for the files a reader accepts."""

    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    max_file_mb: float = Field(50.0, gt=0)  # PLANQA_MAX_FILE_MB: larger files are refused before being read
    max_unpacked_mb: float = Field(500.0, gt=0)  # PLANQA_MAX_UNPACKED_MB: everything inside a .docx, uncompressed
    max_xml_mb: float = Field(32.0, gt=0)  # PLANQA_MAX_XML_MB: the XML parts of a .docx, uncompressed
    max_paragraphs: int = Field(20_000, gt=0)  # PLANQA_MAX_PARAGRAPHS: paragraphs (docx) or non-empty lines
    max_pages: int = Field(1_000, gt=0)  # PLANQA_MAX_PAGES: pages of a PDF
    max_chars: int = Field(3_000_000, gt=0)  # PLANQA_MAX_CHARS: characters of a plan's text
    max_clauses: int = Field(5_000, gt=0)  # PLANQA_MAX_CLAUSES: clauses of one plan (each is embedded)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_unpacked_bytes(self) -> int:
        return int(self.max_unpacked_mb * 1024 * 1024)

    @property
    def max_xml_bytes(self) -> int:
        return int(self.max_xml_mb * 1024 * 1024)
