"""The web page's building blocks: serving settings, handlers, views and plan uploads (used by app.py)."""
