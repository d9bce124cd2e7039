def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_lax_and_secure_over_https(client, make_user):
    user = make_user("organizer")
    response = client.post("/login", data={"login": user["email"], "password": user["password"]})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    response = client.post(
        "/login", data={"login": user["email"], "password": user["password"]}, base_url="https://dxday.example"
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_no_page_loads_anything_from_another_host(client):
    for path in ("/", "/events/", "/contests/", "/login"):
        page = client.get(path).get_data(as_text=True)
        for attribute in ('src="http', "src='http", 'href="http', "//cdn", 'src="//', 'href="//'):
            assert attribute not in page, (path, attribute)


def test_no_inline_script_in_pages(client):
    page = client.get("/").get_data(as_text=True)
    assert "<script>" not in page and "onclick=" not in page


def test_error_pages_are_in_the_layout(client):
    page = client.get("/khong-co-trang-nay").get_data(as_text=True)
    assert "Trang bạn tìm không tồn tại" in page or "không tồn tại" in page
    assert 'class="site-header"' in page


def test_an_unexpected_error_shows_the_500_page_and_json_for_api(app):
    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500 and 'class="site-header"' in response.get_data(as_text=True)
    response = client.get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "server_error"
