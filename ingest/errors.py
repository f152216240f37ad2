"""The one error type ingest raises for bad input: its message is shown to users as is."""


class IngestError(ValueError):
    """A file could not be turned into a plan; the message says why in plain words."""
