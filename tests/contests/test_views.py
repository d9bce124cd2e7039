from app.extensions import db
from contests.models import Contest

EMPTY = "Chưa có cuộc thi nào được công bố."


def test_the_contests_page_lists_published_contests_in_vietnamese(app, client):
    with app.app_context():
        db.session.add_all(
            [
                Contest(
                    title="Cuộc thi trực tuyến tìm hiểu về an toàn, an ninh thông tin",
                    kind="online_quiz",
                    is_published=True,
                    audience="Người dân",
                ),
                Contest(title="Bản nháp nội bộ", kind="juried", is_published=False),
            ]
        )
        db.session.commit()
    page = client.get("/contests/").get_data(as_text=True)
    assert "Cuộc thi trực tuyến tìm hiểu về an toàn, an ninh thông tin" in page
    assert "Bản nháp nội bộ" not in page
    assert EMPTY not in page and 'class="empty"' not in page


def test_the_contests_page_is_friendly_when_empty(app, client):
    with app.app_context():  # a draft is not announced: the page is still empty for citizens
        db.session.add(Contest(title="Bản nháp nội bộ", kind="juried", is_published=False))
        db.session.commit()
    response = client.get("/contests/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="empty"' in page and EMPTY in page
    assert "Bản nháp nội bộ" not in page
