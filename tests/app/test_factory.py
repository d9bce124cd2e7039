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


def test_identity_keys_are_made_once_apart_from_the_secret_and_keep_the_old_secret_to_find_older_rows(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("IDENTITY_KEYS", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": None, "SECRET_KEY": "the-secret-of-the-upgrade-day"})
    keys = app.config["IDENTITY_KEYS"]
    assert len(keys) == 2 and len(keys[0]) == 64 and keys[1] == "the-secret-of-the-upgrade-day"
    assert oct(os.stat(tmp_path / "instance" / "identity_keys").st_mode & 0o777) == "0o600"
    rotated = create_app({"SQLALCHEMY_DATABASE_URI": None, "SECRET_KEY": "a-new-secret"})
    assert rotated.config["IDENTITY_KEYS"] == keys
    monkeypatch.setenv("IDENTITY_KEYS", "new-key, old-key")
    assert create_app({"SQLALCHEMY_DATABASE_URI": None}).config["IDENTITY_KEYS"] == ("new-key", "old-key")
