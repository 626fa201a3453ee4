"""The local database servers the integration tests talk to (PostgreSQL, MariaDB).

In CI (env ``CI`` set) an unreachable server fails the test, so CI never goes green by skipping them;
on a developer machine without the server the test is skipped with the reason.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

POSTGRES_URL_ENV = "SATUPEKERJA_TEST_POSTGRES_URL"
MARIADB_URL_ENV = "SATUPEKERJA_TEST_MARIADB_URL"
DEFAULT_URLS = {
    POSTGRES_URL_ENV: "postgresql+psycopg2://postgres@127.0.0.1:5432/test",
    MARIADB_URL_ENV: "mysql+pymysql://root@127.0.0.1:3306/test",
}


def server_url(variable: str) -> sa.URL:
    """The test server's URL: the environment variable, else the local default."""
    return sa.make_url(os.environ.get(variable) or DEFAULT_URLS[variable])


def reachable_engine(url: sa.URL, **engine_options) -> sa.Engine:
    """An engine on ``url`` after one successful connection; unreachable → fail in CI, else skip."""
    engine = sa.create_engine(url, **engine_options)
    try:
        engine.connect().close()
    except sa.exc.SQLAlchemyError as error:
        engine.dispose()
        message = f"test server {url.render_as_string(hide_password=True)} unreachable ({type(error).__name__})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return engine
