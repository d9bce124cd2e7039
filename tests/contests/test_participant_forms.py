"""The sign-up and return forms: the last year of birth follows the date in the campaign's zone, not the year the
code was written."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from werkzeug.datastructures import MultiDict

from contests.forms import participants as forms
from contests.services.participants.identities import last_birth_year


def test_the_last_year_of_birth_is_the_year_of_today():
    assert last_birth_year(date(2026, 12, 31)) == 2026
    assert last_birth_year(date(2031, 1, 1)) == 2031


def _year_error(app, year: str, **form_args) -> list[str]:
    with app.test_request_context("/", method="POST", headers={"Accept-Language": "vi"}):
        form = forms.FallbackForm(formdata=MultiDict({"phone": "0912345678", "birth_year": year}), **form_args)
        form.validate()
        return [str(e) for e in form.birth_year.errors]


@pytest.mark.parametrize("form_class", [forms.ParticipantForm, forms.FallbackForm])
def test_a_child_born_this_year_is_accepted_and_next_year_is_refused_in_vietnamese(app, form_class):
    with app.test_request_context("/", method="POST", headers={"Accept-Language": "vi"}):
        form = form_class(formdata=MultiDict({"birth_year": "2031"}), today=date(2031, 3, 1))
        form.validate()
        assert not form.birth_year.errors
        form = form_class(formdata=MultiDict({"birth_year": "2032"}), today=date(2031, 3, 1))
        form.validate()
        assert form.birth_year.errors == ["Nhập năm sinh từ 1900 đến 2031."]


def test_the_bound_moves_at_midnight_in_ho_chi_minh_city_not_in_utc(app, monkeypatch):
    """17:30 UTC on 31 December is already 1 January in Vietnam: a child born that new year may be signed up."""
    monkeypatch.setattr(forms, "utcnow", lambda: datetime(2030, 12, 31, 17, 30, tzinfo=UTC))
    assert _year_error(app, "2031") == []
    assert _year_error(app, "2032") == ["Nhập năm sinh từ 1900 đến 2031."]
    monkeypatch.setattr(forms, "utcnow", lambda: datetime(2030, 12, 31, 16, 30, tzinfo=UTC))  # 23:30 local
    assert _year_error(app, "2031") == ["Nhập năm sinh từ 1900 đến 2030."]
