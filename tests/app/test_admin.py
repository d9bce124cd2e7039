from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Unit, User


def _unit(app, name, kind, parent_id=None):
    with app.app_context():
        unit = Unit(name=name, kind=kind, parent_id=parent_id)
        db.session.add(unit)
        db.session.commit()
        return unit.id


def test_admin_creates_a_user_with_roles_and_unit(app, client, make_user, login):
    login(make_user("admin"))
    ward = _unit(app, "Phường Uyên Hưng", "ward", _unit(app, "Thành phố Tân Uyên", "district"))
    response = client.post(
        "/admin/users/new",
        data={
            "name": "  Lê   Văn Tám ",
            "email": "Tam@Example.VN",
            "phone": "+84987654321",
            "unit_id": ward,
            "roles": ["volunteer", "juror"],
            "password": "mat-khau-du-dai",
            "active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "tam@example.vn"))
        assert user.name == "Lê Văn Tám" and user.phone == "0987654321" and user.unit_id == ward
        assert user.roles == {"volunteer", "juror"}
        granted = db.session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.entity == "UserRole", AuditEntry.entity_id.like(f"{user.id},%")
            )
        ).all()
        assert sorted(granted) == [f"{user.id},juror", f"{user.id},volunteer"]
        created = db.session.scalar(
            select(AuditEntry).where(AuditEntry.entity == "User", AuditEntry.entity_id == str(user.id))
        )
        assert "phone" not in created.changes and "0987654321" not in str(created.changes)
    listing = client.get("/admin/users?q=tám").get_data(as_text=True)
    assert "Lê Văn Tám" in listing and "Phường Uyên Hưng" in listing


def test_user_form_errors_are_shown_on_the_fields(client, make_user, login):
    admin = make_user("admin")
    login(admin)
    page = client.post(
        "/admin/users/new", data={"name": "", "email": "khong-phai-email", "phone": "12345", "unit_id": 0}
    ).get_data(as_text=True)
    assert "Nhập họ và tên." in page
    assert "Địa chỉ email không hợp lệ." in page
    assert "Chọn ít nhất một vai trò." in page
    assert 'aria-invalid="true"' in page
    page = client.post(
        "/admin/users/new",
        data={
            "name": "Trùng",
            "email": admin["email"],
            "unit_id": 0,
            "roles": ["volunteer"],
            "password": "mat-khau-du-dai",
        },
    ).get_data(as_text=True)
    assert "Email này đã được một tài khoản khác sử dụng." in page


def test_deactivated_user_is_signed_out_of_the_app(app, client, make_user, login):
    admin = make_user("admin")
    volunteer = make_user("volunteer")
    other = app.test_client()
    other.post("/login", data={"login": volunteer["email"], "password": volunteer["password"]})
    assert other.get("/checkin/").status_code == 200
    login(admin)
    response = client.post(
        f"/admin/users/{volunteer['id']}",
        data={
            "name": "Tình nguyện viên",
            "email": volunteer["email"],
            "unit_id": 0,
            "roles": ["volunteer"],
        },
    )  # "active" unchecked
    assert response.status_code == 302
    assert other.get("/checkin/").status_code == 302  # the next request finds the account inactive


def test_admin_cannot_lock_themselves_out(client, make_user, login):
    admin = make_user("admin")
    login(admin)
    page = client.post(
        f"/admin/users/{admin['id']}",
        data={"name": "Tôi", "email": admin["email"], "unit_id": 0, "roles": ["organizer"], "active": "y"},
    )
    assert page.status_code == 200


def test_unit_tree_add_rename_move_and_refuse_cycles(app, client, make_user, login):
    login(make_user("organizer"))
    province = _unit(app, "Tỉnh Bình Dương", "province")
    city = _unit(app, "Thành phố Tân Uyên", "district", province)
    ward = _unit(app, "Phường Khánh Bình", "ward", city)
    assert (
        client.post("/admin/units/new", data={"name": "Khu phố 3", "kind": "hamlet", "parent_id": ward}).status_code
        == 302
    )
    tree = client.get("/admin/units").get_data(as_text=True).split('class="tree"')[1]
    assert (
        tree.index("Tỉnh Bình Dương")
        < tree.index("Thành phố Tân Uyên")
        < tree.index("Phường Khánh Bình")
        < tree.index("Khu phố 3")
    )
    # rename
    assert (
        client.post(
            f"/admin/units/{ward}", data={"name": "Phường Khánh Bình mới", "kind": "ward", "parent_id": city}
        ).status_code
        == 302
    )
    # moving the city under its own ward is refused, and nothing changes
    page = client.post(
        f"/admin/units/{city}", data={"name": "Thành phố Tân Uyên", "kind": "district", "parent_id": ward}
    )
    assert page.status_code == 200
    # the ward is not offered as a parent at all, so a forged post is refused as an invalid choice
    assert "Lựa chọn không hợp lệ." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Unit, city).parent_id == province
    # a ward directly under a province is refused
    page = client.post("/admin/units/new", data={"name": "Phường lạc chỗ", "kind": "ward", "parent_id": province})
    assert page.status_code == 200
    # duplicate name under the same parent
    page = client.post("/admin/units/new", data={"name": "phường khánh bình mới", "kind": "ward", "parent_id": city})
    assert "Đã có đơn vị cùng tên ở vị trí này." in page.get_data(as_text=True)


def test_audit_trail_records_who_changed_what(app, client, make_user, login):
    admin = make_user("admin")
    login(admin)
    client.post("/admin/units/new", data={"name": "Tỉnh Đồng Nai", "kind": "province", "parent_id": 0})
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "Tỉnh Đồng Nai"))
    client.post(f"/admin/units/{unit_id}", data={"name": "Tỉnh Đồng Nai (mới)", "kind": "province", "parent_id": 0})
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "Unit").order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == ["create", "update"]
        assert all(e.actor_id == admin["id"] for e in entries)
        assert entries[0].entity_id == str(unit_id) and entries[0].changes["name"] == "Tỉnh Đồng Nai"
        assert entries[1].changes == {"name": ["Tỉnh Đồng Nai", "Tỉnh Đồng Nai (mới)"]}
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Tỉnh Đồng Nai (mới)" in page


def test_audit_never_records_a_password(app, make_user, client, login):
    user = make_user("organizer")
    login(user)
    client.post(
        "/account/password",
        data={"current_password": user["password"], "new_password": "mat-khau-moi-123", "confirm": "mat-khau-moi-123"},
    )
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "User").order_by(AuditEntry.id.desc())
        ).first()
        assert entry.action == "update"
        assert entry.changes["password_hash"] == ["***", "***"]
        assert "scrypt" not in str(entry.changes)


def test_a_failed_write_leaves_no_audit_entry(app):
    with app.app_context():
        db.session.add(Unit(name="Tạm", kind="province"))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(AuditEntry.id)) is None
        assert db.session.scalar(select(Unit.id)) is None
