"""Absolute URLs (feeds, messages) use the configured canonical address, never a Host header an attacker chose."""

import pytest

from app import create_app
from app.config import TestConfig
from app.urls import canonical_url, external_url, site_host, site_root

CANONICAL = "https://dxday.tanuyen.gov.vn"


def test_with_a_canonical_url_the_host_header_does_not_leak_into_absolute_urls(make_app):
    app = make_app(CANONICAL_URL=CANONICAL + "/")
    with app.test_request_context("/", base_url="http://evil.example:8080"):
        assert external_url("admin.edit_unit", unit_id=7) == CANONICAL + "/admin/units/7"
        assert site_root() == CANONICAL + "/"
        assert site_host() == "dxday.tanuyen.gov.vn"
    with app.app_context():  # a scheduled job sending an e-mail has no request at all
        assert external_url("auth.login", next="/admin/") == CANONICAL + "/login?next=/admin/"


def test_a_canonical_url_with_a_path_prefix(make_app):
    app = make_app(CANONICAL_URL="https://cds.dongnai.gov.vn/dxday")
    with app.test_request_context("/", base_url="http://10.0.0.5"):
        assert external_url("admin.edit_unit", unit_id=3) == "https://cds.dongnai.gov.vn/dxday/admin/units/3"
        assert site_root() == "https://cds.dongnai.gov.vn/dxday/"


def test_without_a_canonical_url_the_request_address_is_used(make_app):
    app = make_app()
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert external_url("admin.edit_unit", unit_id=7) == "http://127.0.0.1:5000/admin/units/7"
        assert site_host() == "127.0.0.1"


@pytest.mark.parametrize("wrong", ["dxday.tanuyen.gov.vn", "ftp://dxday.vn", "https://", "https://x.vn/?a=1"])
def test_a_malformed_canonical_url_stops_the_start(wrong):
    with pytest.raises(ValueError, match="CANONICAL_URL"):
        create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "CANONICAL_URL": wrong})


def test_canonical_url_is_normalised():
    assert canonical_url(" https://DXDAY.Example.VN/ ") == "https://dxday.example.vn"
    assert canonical_url("") is None


def test_the_environment_sets_the_canonical_url(monkeypatch, tmp_path):
    monkeypatch.setenv("CANONICAL_URL", CANONICAL)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app()
    assert app.config["CANONICAL_URL"] == CANONICAL
