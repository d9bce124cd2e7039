"""Ids in URLs: a number no id column can hold is a plain 404 on every route, never a server error."""

import re

import pytest

HUGE = "99999999999"


def _path(rule) -> str:
    path = re.sub(r"<int:[^>]+>", HUGE, rule.rule)
    return re.sub(r"<[^>]+>", "x", path)


def _rules_with_an_int(app):
    return [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]


def test_every_route_answers_404_to_an_id_beyond_the_database_range(app, make_user, login, client):
    login(make_user("admin"))
    rules = _rules_with_an_int(app)
    assert len(rules) >= 10  # the admin pages and every events page with an id
    for rule in rules:
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_path(rule), method=method)
        assert response.status_code in (404, 405), (rule.rule, method, response.status_code)
        if response.status_code == 404:
            assert "không tồn tại" in response.get_data(as_text=True) or response.is_json


def test_the_largest_id_still_reaches_the_page(make_user, login, client):
    login(make_user("admin"))
    make_user("volunteer", id=2**31 - 1, name="Tình nguyện viên cuối")
    response = client.get(f"/admin/users/{2**31 - 1}")
    assert response.status_code == 200 and "Tình nguyện viên cuối" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["2147483648", HUGE, "1" * 400])
def test_the_int_converter_refuses_numbers_beyond_the_range(app, value):
    adapter = app.url_map.bind("localhost")
    with pytest.raises(Exception) as caught:
        adapter.match(f"/admin/users/{value}")
    assert type(caught.value).__name__ == "NotFound"
    assert adapter.match("/admin/users/2147483647") == ("admin.edit_user", {"user_id": 2147483647})
