import os

from app import create_app, normalise_database_url
from app.config import TestConfig


def test_defaults_to_sqlite_in_instance_and_generates_a_secret_once(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": None, "SECRET_KEY": None})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "instance" / "dxday.sqlite3")
    secret_file = tmp_path / "instance" / "secret_key"
    assert os.path.exists(secret_file)
    assert oct(os.stat(secret_file).st_mode & 0o777) == "0o600"
    again = create_app({"SQLALCHEMY_DATABASE_URI": None, "SECRET_KEY": None})
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) >= 32


def test_environment_configures_the_app(monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Asia/Ho_Chi_Minh")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", "postgresql://dx@db.example/dxday")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://dx@db.example/dxday"
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_redis_url_backs_the_rate_limits():
    app = create_app(
        {**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_three_feature_blueprints_are_registered():
    app = create_app(TestConfig)
    assert {"events", "contests", "checkin", "auth", "admin", "main"} <= set(app.blueprints)
