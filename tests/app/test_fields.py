"""KeptOptionsSelect: a long <select> (the calendar's ~500 areas) rendered once per key, then reused with the
visitor's choice marked; byte for byte what WTForms' own Select renders."""

from wtforms import Form, SelectField
from wtforms.widgets import Select

from app.fields import KeptOptionsSelect, LongSelectField

AREAS = [("", "Everywhere")] + [(str(i), f"Phường Số {i} & <Bến>") for i in range(1, 40)]


class Kept(Form):
    area = SelectField(choices=AREAS, widget=KeptOptionsSelect())


class Plain(Form):
    area = SelectField(choices=AREAS, widget=Select())


def render(form_class, data, key="areas:v1:vi", **kwargs):
    form = form_class(data={"area": data} if data is not None else None)
    form.area.options_key = key
    return str(form.area(**kwargs))


def test_it_renders_what_wtforms_renders_with_the_choice_marked():
    for data in (None, "", "7", "39", "404"):
        assert render(Kept, data, aria_invalid="true") == render(Plain, data, aria_invalid="true")
    assert '<option selected value="7">Phường Số 7 &amp; &lt;Bến&gt;</option>' in render(Kept, "7")
    assert render(Kept, "7").count("selected") == 1 and "selected" not in render(Kept, "404")


def test_the_options_are_kept_per_key_and_built_again_for_a_new_key():
    render(Kept, "3", key="areas:v2:vi")
    renamed = Kept()
    renamed.area.choices = [("", "Everywhere"), ("1", "Phường Đổi Tên")]
    renamed.area.options_key = "areas:v2:vi"
    assert "Phường Số 1 " in str(renamed.area())  # same key: the kept options (a key names the data it was made of)
    renamed.area.options_key = "areas:v3:vi"
    assert "Phường Đổi Tên" in str(renamed.area()) and "Phường Số 1 " not in str(renamed.area())


def test_options_under_groups_render_as_wtforms_renders_them():
    from wtforms.fields.choices import SelectChoice

    wards = [SelectChoice("", "Choose")] + [
        SelectChoice(str(i), f"Phường {i}", optgroup=f"Thành phố {i // 10} & <Tân>") for i in range(1, 30)
    ]

    class KeptGroups(Form):
        area = SelectField(choices=wards, widget=KeptOptionsSelect())

    class PlainGroups(Form):
        area = SelectField(choices=wards, widget=Select())

    for data in (None, "", "12", "404"):
        assert render(KeptGroups, data, key="wards:v1:vi") == render(PlainGroups, data)
    assert render(KeptGroups, "12", key="wards:v1:vi").count("<optgroup") == 3
    renamed = KeptGroups()
    renamed.area.choices = [SelectChoice("1", "Phường Đổi Tên", optgroup="Huyện Mới")]
    renamed.area.options_key = "wards:v1:vi"
    assert "Phường Đổi Tên" not in str(renamed.area())  # kept: rendered once for the key


def test_without_a_key_it_is_plain_select():
    form = Kept(data={"area": "2"})
    assert str(form.area()) == str(Plain(data={"area": "2"}).area())


class Long(Form):
    area = LongSelectField(choices=AREAS)


class Short(Form):
    area = SelectField(choices=AREAS)


def test_a_long_select_accepts_and_refuses_what_a_select_does():
    from werkzeug.datastructures import MultiDict

    for value in ("", "7", "39", "40", "07", "x"):
        long, short = Long(MultiDict({"area": value})), Short(MultiDict({"area": value}))
        assert long.validate() == short.validate(), value
        assert long.errors == short.errors
    assert not Long(MultiDict({"area": "40"})).validate()
