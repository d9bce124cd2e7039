"""The app's JSON provider."""

from __future__ import annotations

from flask.json.provider import DefaultJSONProvider


class JSONProvider(DefaultJSONProvider):
    """JSON nested too deep to parse (``[[[[…`` 100,000 levels) is invalid JSON like any other: a ValueError,
    which ``request.get_json`` answers with 400 (or None when ``silent``), instead of a RecursionError (500)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
