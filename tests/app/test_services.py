import pytest

from app import services
from app.errors import DomainError
from app.models import Unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0912 345 678", "0912345678"), ("+84912345678", "0912345678"), ("", None), (None, None)],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert services.normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("kind", "parent_kind", "ok"),
    [
        ("province", None, True),
        ("district", "province", True),
        ("ward", "district", True),
        ("hamlet", "ward", True),
        ("department", "district", True),
        ("school", None, True),
        ("ward", "province", False),
        ("hamlet", "district", False),
        ("province", "province", False),
    ],
)
def test_unit_placement_rules(kind, parent_kind, ok):
    if ok:
        services.check_unit_placement(kind, parent_kind)
    else:
        with pytest.raises(DomainError) as error:
            services.check_unit_placement(kind, parent_kind)
        assert error.value.code == "unit_bad_parent" and error.value.field == "parent_id"


def test_moving_a_unit_under_its_own_descendant_is_refused(session):
    province = services.save_unit(session, name="Tỉnh Bình Dương", kind="province", parent_id=None)
    session.flush()
    city = services.save_unit(session, name="Thành phố Tân Uyên", kind="district", parent_id=province.id)
    session.flush()
    ward = services.save_unit(session, name="Phường Uyên Hưng", kind="ward", parent_id=city.id)
    session.flush()
    with pytest.raises(DomainError) as error:
        services.save_unit(session, name="Tỉnh Bình Dương", kind="province", parent_id=ward.id, unit=province)
    assert error.value.code == "unit_cycle"
    assert services.descendant_ids(session, province.id) == {province.id, city.id, ward.id}
    assert [(u.name, depth) for u, depth in services.unit_tree(session)] == [
        ("Tỉnh Bình Dương", 0),
        ("Thành phố Tân Uyên", 1),
        ("Phường Uyên Hưng", 2),
    ]


def test_authenticate_by_email_or_phone(session):
    user = services.save_user(
        session,
        name="Hà",
        email="Ha@Example.vn",
        phone="0912345678",
        unit_id=None,
        roles=["organizer"],
        password="mat-khau-du-dai",
    )
    session.flush()
    assert services.authenticate(session, "ha@example.vn", "mat-khau-du-dai") is user
    assert services.authenticate(session, "+84 912 345 678", "mat-khau-du-dai") is user
    assert services.authenticate(session, "ha@example.vn", "sai") is None
    assert services.authenticate(session, "khong@example.vn", "mat-khau-du-dai") is None
    user.active = False
    assert services.authenticate(session, "ha@example.vn", "mat-khau-du-dai") is None


def test_a_new_user_needs_a_password_and_a_unique_phone(session):
    services.save_user(
        session,
        name="A",
        email="a@example.vn",
        phone="0912345678",
        unit_id=None,
        roles=["volunteer"],
        password="mat-khau-du-dai",
    )
    session.flush()
    with pytest.raises(DomainError) as error:
        services.save_user(
            session,
            name="B",
            email="b@example.vn",
            phone="0912345678",
            unit_id=None,
            roles=["volunteer"],
            password="mat-khau-du-dai",
        )
    assert error.value.code == "user_phone_taken"
    with pytest.raises(DomainError) as error:
        services.save_user(session, name="C", email="c@example.vn", phone=None, unit_id=None, roles=["volunteer"])
    assert error.value.code == "user_password_required"
    with pytest.raises(DomainError):
        services.save_user(
            session,
            name="D",
            email="d@example.vn",
            phone=None,
            unit_id=None,
            roles=["king"],
            password="mat-khau-du-dai",
        )
    assert session.query(Unit).count() == 0
