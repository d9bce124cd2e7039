"""Behind a reverse proxy: the client address and scheme come from exactly the trusted number of proxies."""


def _sign_in_attempts(client, address: str, count: int) -> list[int]:
    """Failed sign-ins with distinct logins (so only the per-address limit counts), from ``address`` as the
    proxy reports it; returns the statuses."""
    return [
        client.post(
            "/login",
            data={"login": f"nobody-{address}-{n}@example.vn", "password": "sai-mat-khau"},
            headers={"X-Forwarded-For": address},
        ).status_code
        for n in range(count)
    ]


def test_two_citizens_behind_one_trusted_proxy_have_their_own_sign_in_limits(make_app):
    app = make_app(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert _sign_in_attempts(client, "203.0.113.7", 3) == [200, 200, 429]
    # Another citizen coming through the same proxy is not blocked by the first one's attempts.
    assert _sign_in_attempts(client, "198.51.100.23", 2) == [200, 200]


def test_without_trusted_proxies_the_forwarded_address_is_ignored(make_app):
    app = make_app(TRUSTED_PROXIES=0, LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert _sign_in_attempts(client, "203.0.113.7", 2) == [200, 200]
    # A forged header does not buy a fresh limit: both "addresses" are the same socket peer.
    assert _sign_in_attempts(client, "198.51.100.23", 1) == [429]


def _sign_in_cookies(make_app, make_user, proxies: int) -> list[str]:
    """The cookies set by a "keep me signed in" sign-in that nginx says came over HTTPS."""
    user = make_user("organizer")
    app = make_app(TRUSTED_PROXIES=proxies)
    response = app.test_client().post(
        "/login",
        data={"login": user["email"], "password": user["password"], "remember": "y"},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
    )
    assert response.status_code == 302
    return response.headers.getlist("Set-Cookie")


def test_https_at_a_trusted_proxy_makes_the_session_and_remember_cookies_secure(make_app, make_user):
    cookies = _sign_in_cookies(make_app, make_user, 1)
    session = [c for c in cookies if c.startswith("session=")]
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert session and remember
    assert "Secure" in session[0] and "Secure" in remember[0]


def test_https_claimed_without_a_trusted_proxy_leaves_cookies_plain(make_app, make_user):
    cookies = _sign_in_cookies(make_app, make_user, 0)
    assert cookies and all("Secure" not in c for c in cookies)


def test_https_at_a_trusted_proxy_turns_on_strict_transport_security(make_app):
    def hsts(proxies: int):
        response = make_app(TRUSTED_PROXIES=proxies).test_client().get("/", headers={"X-Forwarded-Proto": "https"})
        return response.headers.get("Strict-Transport-Security")

    assert hsts(1) and not hsts(0)
