"""The registration confirmation shows a ticket only when a higher package offers one in its slot
(app/providers.py): events never names check-in's template, and renders without it."""

from app.providers import FragmentRegistry, fragments

FORM = {"name": "Nguyễn Thị Bích", "phone": "0912345678", "email": "", "consent": "y"}
WILL_COME = "Vé mã QR của bạn sẽ hiển thị trên trang này trước khi hoạt động diễn ra."


def _confirmation(client, setup) -> str:
    activity_id = setup.make_activity(capacity=5)
    response = client.post(f"/events/activities/{activity_id}/register", data={**FORM, "ward_id": setup.ward_id})
    assert response.status_code == 303
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_check_in_offers_its_ticket_in_the_confirmation_slot(client, registration_setup):
    assert fragments.templates("registration.ticket") == ["checkin/_ticket.html"]
    page = _confirmation(client, registration_setup)
    assert "ticket-qr" in page and WILL_COME not in page


def test_without_check_in_the_confirmation_says_the_ticket_will_come(client, registration_setup, monkeypatch):
    monkeypatch.setattr(fragments, "_slots", {})
    page = _confirmation(client, registration_setup)
    assert "Chỗ của bạn đã được xác nhận." in page
    assert WILL_COME in page and "ticket-qr" not in page


def test_a_slot_lists_its_fragments_in_registration_order_and_a_second_app_replaces_its_own():
    registry = FragmentRegistry()
    assert registry.templates("registration.ticket") == []
    registry.register("registration.ticket", "checkin", "checkin/_ticket.html")
    registry.register("registration.ticket", "other", "other/_note.html")
    registry.register("registration.ticket", "checkin", "checkin/_ticket.html")
    assert registry.templates("registration.ticket") == ["checkin/_ticket.html", "other/_note.html"]
    assert registry.templates("elsewhere") == []
