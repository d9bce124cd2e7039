"""The ticket a citizen gets: the QR code on the confirmation page, read back by a real decoder (zbar) into a token
that the scan API admits once; the image's download; where the signing keys live."""

import io
import os
import re
from datetime import UTC, datetime

from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from app.extensions import db
from checkin import keys
from checkin.services import tickets, tokens
from events.models import Registration
from tests.events.conftest import campaign, registration_setup  # noqa: F401 (fixtures reused from events)


def zbar(png: bytes) -> list[str]:
    return [symbol.data.decode("ascii") for symbol in decode(Image.open(io.BytesIO(png)), symbols=[ZBarSymbol.QRCODE])]


def test_the_confirmation_page_shows_a_ticket_whose_qr_zbar_reads_and_the_api_admits_once(app, client, login, festival):
    f = festival
    page = client.get(f"/events/registrations/{f.tokens[0]}").get_data(as_text=True)
    assert "Mã QR vé của bạn" in page
    with app.app_context():
        registration = db.session.get(Registration, f.ids[0])
        code = tokens.short_code(registration.id, registration.activity_id, app.config["SECRET_KEY"])
    assert f'<strong translate="no">{code}</strong>' in page  # the code to type when the camera fails
    assert f'href="/events/activities/{f.activity_id}.ics"' in page  # add to calendar
    image_url = re.search(r'<img class="ticket-qr" src="([^"]+)"', page).group(1)
    image = client.get(image_url)
    assert image.status_code == 200 and image.mimetype == "image/png"

    [token] = zbar(image.data)
    assert len(token) == 117
    assert tokens.verify(token, keys.verifying_keys(app)).ticket_id == f.ids[0]

    login(f.volunteer)
    answers = []
    for nonce in ("zbar-1", "zbar-2"):
        body = {
            "token": token,
            "checkpoint_id": f.entrance,
            "device_id": "phone-1",
            "nonce": nonce,
            "scanned_at": datetime.now(UTC).isoformat(),
        }
        answers.append(client.post("/checkin/api/scans", json=body).get_json()["scan"]["verdict"])
    assert answers == ["admitted", "already_checked_in"]


def test_the_qr_image_downloads_as_a_file_and_is_never_cached_or_indexed(client, festival):
    response = client.get(f"/checkin/tickets/{festival.tokens[0]}.png?download=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename=ve-{festival.ids[0]}.png"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert zbar(response.data) == [festival.tickets[0]]
    shown = client.get(f"/checkin/tickets/{festival.tokens[0]}.png")
    assert "Content-Disposition" not in shown.headers or "inline" in shown.headers["Content-Disposition"]


def test_no_ticket_without_a_confirmed_registration(client, festival):
    cancelled = client.get(f"/checkin/tickets/{festival.tokens[2]}.png")
    unknown = client.get("/checkin/tickets/khong-co-ve-nay-0000000000000000000.png")
    malformed = client.get("/checkin/tickets/a.png")
    assert (cancelled.status_code, unknown.status_code, malformed.status_code) == (404, 404, 404)
    page = client.get(f"/events/registrations/{festival.tokens[2]}").get_data(as_text=True)
    assert "ticket-qr" not in page


def test_the_qr_is_a_low_density_alphanumeric_code():
    token = tokens.sign(2**31 - 1, 2**31 - 1, datetime(2024, 10, 5, tzinfo=UTC), {1: tokens.generate_key()})
    png = tickets.qr_png(token)
    size = Image.open(io.BytesIO(png)).size
    # Version 5 (37 modules) with a 4-module quiet zone at 10 px a module: as small as 117 characters allow.
    assert size == (tickets.qr_size(token),) * 2 == (450, 450)
    assert zbar(png) == [token]


def test_the_first_key_is_made_in_the_instance_folder_and_kept(app):
    with app.app_context():
        first = keys.signing_keys(app)
    folder = os.path.join(app.instance_path, keys.KEY_FOLDER)
    assert os.listdir(folder) == ["1.pem"]
    assert os.stat(os.path.join(folder, "1.pem")).st_mode & 0o077 == 0  # readable by the app's user only
    app.extensions.pop("checkin_keys")  # another process, the same folder: the same key
    again = keys.signing_keys(app)
    assert tokens.key_to_text(again[1]) == tokens.key_to_text(first[1])


def test_a_key_added_to_the_folder_signs_and_the_old_one_still_verifies(app):
    old = keys.signing_keys(app)
    old_token = tokens.sign(5, 6, datetime(2024, 10, 5, tzinfo=UTC), old)
    with open(os.path.join(app.instance_path, keys.KEY_FOLDER, "2.pem"), "wb") as handle:
        handle.write(tokens.key_to_pem(tokens.generate_key()))
    app.extensions.pop("checkin_keys")  # read again, as after a restart
    rotated = keys.signing_keys(app)
    new_token = tokens.sign(5, 6, datetime(2024, 10, 5, tzinfo=UTC), rotated)
    public = keys.verifying_keys(app)
    assert (tokens.verify(new_token, public).key_id, tokens.verify(old_token, public).key_id) == (2, 1)
    client = app.test_client()
    assert [k["id"] for k in client.get("/checkin/api/keys").get_json()["keys"]] == [1, 2]


def test_keys_from_the_setting_win_over_the_folder(make_app):
    key = tokens.generate_key()
    app = make_app(CHECKIN_SIGNING_KEYS=f"3:{tokens.key_to_text(key)}")
    served = app.test_client().get("/checkin/api/keys").get_json()["keys"]
    assert served == tokens.describe_keys({3: key.public_key()})
    assert not os.path.exists(os.path.join(app.instance_path, keys.KEY_FOLDER))  # no file made


def test_a_waitlisted_person_gets_a_ticket_when_promoted_and_the_message_links_it(
    app,
    client,
    registration_setup,  # noqa: F811
):
    from app.models import OutboxMessage

    setup = registration_setup
    activity_id = setup.make_activity(capacity=1)

    def register(phone, name):
        data = {"name": name, "phone": phone, "ward_id": str(setup.ward_id), "email": "", "consent": "y"}
        response = client.post(f"/events/activities/{activity_id}/register", data=data)
        return response.headers["Location"].rsplit("/", 1)[-1]

    first, waiting = register("0912345678", "Nguyễn Thị Bích"), register("0987654321", "Trần Văn Cường")
    assert "ticket-qr" not in client.get(f"/events/registrations/{waiting}").get_data(as_text=True)
    assert client.get(f"/checkin/tickets/{waiting}.png").status_code == 404  # a waiting-list place is no ticket

    client.post(f"/events/registrations/{first}/cancel")  # the seat frees up: the waiting person is promoted
    page = client.get(f"/events/registrations/{waiting}").get_data(as_text=True)
    assert "ticket-qr" in page
    [token] = zbar(client.get(f"/checkin/tickets/{waiting}.png").data)
    with app.app_context():
        promoted = db.session.query(Registration).filter_by(token=waiting).one()
        ticket = tokens.verify(token, keys.verifying_keys(app))
        assert (ticket.ticket_id, ticket.issued_at) == (promoted.id, promoted.promoted_at.replace(microsecond=0))
        message = db.session.query(OutboxMessage).filter_by(template="registration_promoted").one()
        assert message.payload["token"] == waiting  # its link is the page that now shows the ticket
    assert client.get(f"/checkin/tickets/{first}.png").status_code == 404  # the cancelled ticket is gone


def test_cancelling_the_activity_revokes_its_tickets_and_restoring_it_gives_them_back(app, client, login, festival):
    """Online (the scan API), offline (the sync's revoked list) and on the ticket page: a cancelled activity's
    tickets are refused as activity_cancelled. Derived from the activity, not copied into the tickets: the
    organizer restoring the activity gives every ticket back."""
    f = festival
    login(f.organizer)
    assert client.post(f"/events/activities/{f.activity_id}/cancel", data={"confirm": "1"}).status_code == 302

    def scan(nonce: str) -> dict:
        body = {"token": f.tickets[0], "checkpoint_id": f.entrance, "device_id": "phone-1", "nonce": nonce}
        body["scanned_at"] = datetime.now(UTC).isoformat()
        return client.post("/checkin/api/scans", json=body).get_json()["scan"]

    refused = scan("cancelled-1")
    assert (refused["verdict"], refused["admitted"]) == ("activity_cancelled", False)
    sync = client.get(f"/checkin/api/checkpoints/{f.entrance}/sync").get_json()
    assert sync["checkpoint"]["cancelled"] is True and sync["revoked"] == sorted(f.ids[:3])
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(f"/events/registrations/{f.tokens[0]}").get_data(as_text=True)
    assert "This activity was cancelled, so this ticket is no longer valid." in page
    assert 'class="ticket-qr"' not in page and "ticket-code" not in page
    assert client.get(f"/checkin/tickets/{f.tokens[0]}.png").status_code == 404

    client.post("/language", data={"lang": "vi", "next": "/"})
    assert client.post(f"/events/activities/{f.activity_id}/restore", data={"confirm": "1"}).status_code == 302
    assert scan("restored-1")["verdict"] == "admitted"
    sync = client.get(f"/checkin/api/checkpoints/{f.entrance}/sync").get_json()
    assert sync["checkpoint"]["cancelled"] is False and sync["revoked"] == [f.ids[2]]
    page = client.get(f"/events/registrations/{f.tokens[0]}").get_data(as_text=True)
    assert 'class="ticket-qr"' in page and "no longer valid" not in page
    assert client.get(f"/checkin/tickets/{f.tokens[0]}.png").status_code == 200
