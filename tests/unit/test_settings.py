"""Settings: a given value wins, else its TRELLIS_ variable (in any case), else the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from trellis.errors import TrellisError
from trellis.settings import Settings


@pytest.fixture(autouse=True)
def no_trellis_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.upper().startswith("TRELLIS_"):
            monkeypatch.delenv(name)


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    settings = Settings()
    assert settings.database_url == f"sqlite:///{Path(tmp_path) / 'trellis' / 'trellis.db'}"
    assert settings.environment == "development"
    assert settings.secret_key is None and settings.api_docs is None
    assert settings.serves_api_docs()
    assert settings.author  # the login name


def test_a_variable_in_any_case_and_a_given_value_over_it(monkeypatch):
    monkeypatch.setenv("trellis_author", "ada")
    monkeypatch.setenv("TRELLIS_DATABASE_URL", "sqlite:///from-env.db")
    assert Settings().author == "ada"
    assert Settings(author="grace").author == "grace"
    assert Settings().database_url == "sqlite:///from-env.db"
    monkeypatch.setenv("TRELLIS_AUTHOR", "")
    monkeypatch.delenv("trellis_author")
    assert Settings().author == ""  # set, though empty: not the login name


@pytest.mark.parametrize(("text", "docs"), [
    ("true", True), ("TRUE", True), ("1", True), ("yes", True), ("on", True), ("y", True),
    ("false", False), ("False", False), ("0", False), ("no", False), ("off", False),
])
def test_api_docs_in_production_follow_the_variable(monkeypatch, text, docs):
    monkeypatch.setenv("TRELLIS_ENVIRONMENT", "production")
    monkeypatch.setenv("TRELLIS_API_DOCS", text)
    assert Settings().serves_api_docs() is docs


def test_production_serves_no_docs_unless_asked():
    assert not Settings(environment="production").serves_api_docs()


@pytest.mark.parametrize("text", ["", " true", "2", "maybe"])
def test_a_word_that_is_not_true_or_false_is_refused(monkeypatch, text):
    monkeypatch.setenv("TRELLIS_API_DOCS", text)
    with pytest.raises(TrellisError, match="TRELLIS_API_DOCS must be true or false"):
        Settings()


def test_an_unknown_environment_is_refused_given_or_read():
    with pytest.raises(TrellisError, match="must be development or production, not 'prod'"):
        Settings(environment="prod")  # type: ignore[arg-type]


def test_the_secret_is_never_shown(monkeypatch):
    monkeypatch.setenv("TRELLIS_SECRET_KEY", "q8Zr2LmV0tXs5Nw1Yc7Kb4Hd9Jf3Pg6Ae-Ui_Oo")
    settings = Settings(environment="production")
    assert "q8Zr2" not in repr(settings) and "q8Zr2" not in str(settings)
    assert settings.web_secret() == "q8Zr2LmV0tXs5Nw1Yc7Kb4Hd9Jf3Pg6Ae-Ui_Oo"
