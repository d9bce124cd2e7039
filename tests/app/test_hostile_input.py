"""Hostile text in every form and request: a clear field error or 400, never a 500, never two spellings stored."""

import re
import unicodedata

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, PasswordField, StringField, TextAreaField

from app.extensions import db
from app.fields import LocalDateField, LocalDateTimeField, PhoneField
from app.forms import Form
from app.models import Unit, User
from app.services import normalise_phone

CONTROL_ERROR = "Hãy xoá các ký tự điều khiển vô hình khỏi ô này."


class Everything(Form):
    title = StringField()
    notes = TextAreaField()
    password = PasswordField()
    phone = PhoneField()
    capacity = IntegerField()
    day = LocalDateField()
    starts = LocalDateTimeField()


class Submitted:
    """A validated form and its errors as the (Vietnamese) text a user reads."""

    def __init__(self, form):
        self.form = form
        self.errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}

    def __getattr__(self, name):
        return getattr(self.form, name)


def _submit(app, **data) -> Submitted:
    with app.test_request_context(method="POST"):
        form = Everything(formdata=MultiDict(data), meta={"csrf": False})
        form.validate()
        return Submitted(form)


@pytest.mark.parametrize(
    "hostile", ["Hội chợ\x00", "Hội\x1b[31mchợ", "Hội chợ\n", "Hội\u202echợ", "Hội\x7fchợ", "Hội\ud800chợ"]
)
def test_control_characters_in_a_text_field_are_a_vietnamese_field_error(app, hostile):
    form = _submit(app, title=hostile)
    assert form.errors == {"title": [CONTROL_ERROR]}


def test_a_multi_line_box_keeps_line_breaks_and_tabs_but_not_nul(app):
    assert _submit(app, notes="Dòng 1\r\nDòng 2\tcột").errors == {}
    assert _submit(app, notes="Dòng 1\x00").errors == {"notes": [CONTROL_ERROR]}


def test_a_password_with_nul_is_refused_but_never_rewritten(app):
    assert _submit(app, password="mat\x00khau").errors == {"password": [CONTROL_ERROR]}
    decomposed = unicodedata.normalize("NFD", "mật khẩu")
    assert _submit(app, password=decomposed).password.data == decomposed


def test_text_is_stored_in_one_unicode_spelling(app):
    decomposed = unicodedata.normalize("NFD", "Phường Tân Phước Khánh")
    assert decomposed != "Phường Tân Phước Khánh"
    assert _submit(app, title=decomposed).title.data == "Phường Tân Phước Khánh"


@pytest.mark.parametrize("typed", ["09１２３４５６７９", "٠٩١٢٣٤٥٦٧٩", "０９１２ ３４５ ６７９"])
def test_phone_digits_of_any_script_become_ascii(app, typed):
    assert _submit(app, phone=typed).phone.data.replace(" ", "") == "0912345679"


@pytest.mark.parametrize("typed", ["09１２３４５６７９", "٠٩١٢٣٤٥٦٧٩", "+84 912 345 679", "0912.345.679"])
def test_normalise_phone_gives_one_ascii_spelling(typed):
    assert normalise_phone(typed) == "0912345679"


def test_a_number_beyond_the_column_range_is_a_field_error(app):
    assert _submit(app, capacity="99999999999").errors == {"capacity": ["Số này quá lớn."]}
    assert _submit(app, capacity="2147483647").capacity.data == 2147483647
    assert _submit(app, capacity="１２０").capacity.data == 120


@pytest.mark.parametrize(
    ("field", "typed"), [("day", "01/01/0001"), ("day", "31/12/9999"), ("starts", "01/01/0001 00:00")]
)
def test_a_date_outside_plausible_years_is_a_field_error(app, field, typed):
    assert _submit(app, **{field: typed}).errors == {field: ["Hãy nhập năm trong khoảng từ 2000 đến 2100."]}


def test_a_plausible_date_still_parses(app):
    form = _submit(app, day="10/10/2024", starts="05/10/2024 07:30")
    assert form.errors == {} and form.day.data.year == 2024 and form.starts.data.hour == 0  # 07:30 in Vietnam


def test_sign_in_with_a_nul_byte_is_a_field_error(client):
    response = client.post("/login", data={"login": "admin@dxday.example\x00", "password": "x\x00"})
    assert response.status_code == 200
    assert CONTROL_ERROR in response.get_data(as_text=True)


def test_sign_in_with_fullwidth_digits_finds_the_account(client, make_user):
    make_user("volunteer", phone="0912345679")
    response = client.post("/login", data={"login": "09１２３４５６７９", "password": "mat-khau-thu-nghiem"})
    assert response.status_code == 302


def test_one_phone_in_two_scripts_is_one_phone(app, client, make_user, login):
    login(make_user("admin"))
    base = {"name": "Trần Thị Hoa", "roles": ["volunteer"], "password": "mat-khau-du-dai", "unit_id": 0}
    first = client.post("/admin/users/new", data={**base, "email": "hoa@example.vn", "phone": "09１２３４５６７９"})
    assert first.status_code == 302
    second = client.post("/admin/users/new", data={**base, "email": "hoa2@example.vn", "phone": "٠٩١٢٣٤٥٦٧٩"})
    assert second.status_code == 200
    assert "Số điện thoại này đã được một tài khoản khác sử dụng." in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(User.phone).where(User.phone.is_not(None))).all() == ["0912345679"]


def test_a_unit_named_with_a_nul_byte_is_refused_and_nothing_saved(app, client, make_user, login):
    login(make_user("organizer"))
    response = client.post("/admin/units/new", data={"name": "Phường\x00 A", "kind": "department", "parent_id": 0})
    assert response.status_code == 200 and CONTROL_ERROR in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_nfd_and_nfc_spellings_make_one_unit(app, client, make_user, login):
    login(make_user("organizer"))
    name = "Phòng Văn hoá và Thông tin"
    first = client.post("/admin/units/new", data={"name": unicodedata.normalize("NFD", name), "kind": "department"})
    assert first.status_code == 302
    second = client.post("/admin/units/new", data={"name": name, "kind": "department"})
    assert second.status_code == 200  # refused as a duplicate
    with app.app_context():
        assert db.session.scalars(select(Unit.name)).all() == [name]


@pytest.mark.parametrize("path", ["/admin/users?q=%00", "/admin/audit?entity=a%00b", "/events/registrations/x%00y"])
def test_a_nul_byte_in_the_address_is_a_400(client, make_user, login, path):
    login(make_user("admin"))
    assert client.get(path).status_code == 400


def test_json_nested_100000_deep_is_a_400_json_error(app):
    from flask import request

    @app.route("/echo", methods=["POST"])
    def echo():
        return {"got": type(request.get_json()).__name__}

    client = app.test_client()
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/echo", data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    response = client.post("/events/api/activities/1/registrations", data=body, content_type="application/json")
    assert response.status_code == 400 and response.is_json
    assert client.post("/echo", json=[[1]]).get_json() == {"got": "list"}


HOSTILE_VALUES = ["Hội\x00chợ", "9" * 30, "01/01/0001 00:00", "\u202egpj.exe", "٠٩١٢٣٤٥٦٧٨", "x" * 20_000]
# A valid value for every field a core form has; each test run makes one of them hostile at a time, so that the
# rest of the form is valid and the hostile value reaches the service and the database.
VALID = {
    "name": "Nguyễn Văn An",
    "email": "an@example.vn",
    "phone": "0912345678",
    "unit_id": "0",
    "roles": "volunteer",
    "active": "y",
    "short_name": "KB",
    "kind": "department",
    "parent_id": "0",
    "current_password": "mat-khau-thu-nghiem",
    "new_password": "mat-khau-moi-2024",
    "confirm": "mat-khau-moi-2024",
    "lang": "vi",
    "next": "/",
    "job_id": "",
}


def _field_names(client, path: str) -> list[str]:
    page = client.get(path).get_data(as_text=True)
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', page))
    return sorted(names - {"csrf_token", "submit"}) or ["lang", "next"]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
def test_every_core_form_survives_hostile_values(app, client, make_user, login, value):
    """Every state-changing route of the core (taken from the route map), each of its fields in turn made
    hostile while the others are valid: a form error, a refusal or a redirect, never a server error."""
    admin = make_user("admin")
    other = make_user("volunteer")
    with app.app_context():
        unit = Unit(name="Phường Khánh Bình", kind="department")
        db.session.add(unit)
        db.session.commit()
        ids = {"unit_id": unit.id, "user_id": other["id"]}
    login(admin)
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in {"main", "auth", "admin"}
        and "POST" in rule.methods
        and rule.endpoint not in {"auth.logout", "auth.sign_out_everywhere", "auth.login"}
    ]
    assert len(rules) >= 6
    tried = 0
    for rule in rules:
        path = rule.build({name: ids[name] for name in rule.arguments})[1]
        for field in _field_names(client, path) if "GET" in rule.methods else ["lang", "next"]:
            response = client.post(path, data={**VALID, field: value})
            assert response.status_code < 500, (path, field, response.status_code)
            tried += 1
    assert tried >= 15
    assert client.get("/account/password").status_code == 200  # still signed in as the admin
    for field in ("login", "password"):
        data = {"login": "an@example.vn", "password": "mat-khau", field: value}
        assert app.test_client().post("/login", data=data).status_code in (200, 302)
