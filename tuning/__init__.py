"""Fitting the numbers the layers below read: retrieval weights and refusal thresholds.

Tuning replays the assistant's searches and answers against eval's labelled questions, so it sits
above index, assistant and eval; what it fits is written as data files those layers read
(`index/tuned.json`, `assistant/resources/thresholds.json`). `python -m tuning tune|calibrate`.
"""
