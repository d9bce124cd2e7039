"""The date and time filters show what Flask-Babel's formatting showed (dd/mm/yyyy, 24-hour, Vietnam time), in
both languages, for aware and naive (UTC) datetimes and plain dates."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from flask_babel import format_date, format_datetime, format_time

MOMENTS = [
    datetime(2024, 10, 9, 18, 30, tzinfo=UTC),  # 10/10 01:30 in Vietnam: the day moves
    datetime(2024, 10, 10, 8, 5, tzinfo=timezone(timedelta(hours=7))),
    datetime(2024, 12, 31, 23, 59),  # naive: UTC, as Flask-Babel takes it
    datetime(2100, 1, 1, 0, 0, tzinfo=UTC),
]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_filters_match_flask_babel(app, lang):
    env = app.jinja_env
    with app.test_request_context(headers={"Cookie": f"dxday_lang={lang}"}):
        for moment in MOMENTS:
            assert env.filters["date"](moment) == format_date(moment, "dd/MM/yyyy")
            assert env.filters["datetime"](moment) == format_datetime(moment, "dd/MM/yyyy HH:mm")
            assert env.filters["time"](moment) == format_time(moment, "HH:mm")
        assert env.filters["date"](date(2024, 10, 1)) == "01/10/2024"
        assert env.filters["time"](time(7, 5)) == "07:05"
        assert env.filters["datetime"](MOMENTS[0]) == "10/10/2024 01:30"
        assert env.filters["date"](None) == env.filters["time"](None) == ""
