"""Ingest limits, read from `PLANQA_*` environment variables (pydantic-settings).

Limits exist so that one hostile or mistaken file (a 2 GB log, a zip bomb
renamed .docx) is refused with a message instead of exhausting the machine.
"""
from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class IngestSettings(BaseSettings):
    """Size limits for the files a reader accepts."""

    model_config = SettingsConfigDict(env_prefix="PLANQA_", extra="ignore")

    max_file_mb: float = 50.0  # PLANQA_MAX_FILE_MB: larger files are refused before being read
    max_unpacked_mb: float = 500.0  # PLANQA_MAX_UNPACKED_MB: total uncompressed size allowed inside a .docx

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_unpacked_bytes(self) -> int:
        return int(self.max_unpacked_mb * 1024 * 1024)
