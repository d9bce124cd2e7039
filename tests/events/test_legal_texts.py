"""The personal-data law every consent text cites: a setting, by default the law in force in the campaign's year."""

from datetime import UTC, datetime

from app.legal import DECREE_2023, LAW_2026, law_in_force


def test_the_law_in_force_is_the_decree_until_2025_and_law_91_from_2026():
    assert law_in_force(2024) == law_in_force(2025) == "13/2023/NĐ-CP" == DECREE_2023
    assert law_in_force(2026) == law_in_force(2030) == "91/2025/QH15" == LAW_2026


def test_the_consent_cites_the_law_in_force_unless_another_is_configured(app, client, registration_setup):
    url = f"/events/activities/{registration_setup.make_activity(capacity=5)}/register"
    page = client.get(url).get_data(as_text=True)
    assert datetime.now(UTC).year >= 2026  # the clock of this run: consents given now fall under Law 91/2025
    assert f"như mô tả ở trên (theo Luật Bảo vệ dữ liệu cá nhân số {LAW_2026})." in page
    assert DECREE_2023 not in page
    app.config["PERSONAL_DATA_LAW"] = DECREE_2023  # a campaign that must cite the decree says so
    page = client.get(url).get_data(as_text=True)
    assert f"(theo Nghị định số {DECREE_2023})." in page and LAW_2026 not in page
