"""The README's PostgreSQL setup (issue 12 item 7): the app's role can only INSERT and SELECT on ``audit_log``,
so it cannot UPDATE, DELETE, TRUNCATE, or disable or drop the triggers, yet the app works as that role."""

import re
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from core.models import with_value
from core.store import Store

pytestmark = pytest.mark.postgres
README = Path(__file__).resolve().parents[2] / "README.md"


def role_statements(role: str, schema: str) -> list[str]:
    """The README's SQL block for the app's role, with this test's role and schema names."""
    block = re.search(r"```sql\n-- workbench-app-role[^\n]*\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block is not None, "README lost its workbench-app-role SQL block"
    text = block.group(1).replace("workbench_app", role).replace("SCHEMA public", f'SCHEMA "{schema}"')
    text = text.replace("IN SCHEMA public", f'IN SCHEMA "{schema}"').replace("'change me'", "'secret'")
    return [statement.strip() for statement in text.split(";") if statement.strip()]


@pytest.fixture
def owner_url(request, tmp_path):
    from tests.core.conftest import database_urls

    yield from database_urls("postgresql", tmp_path)


def test_the_app_role_can_add_to_the_audit_trail_but_never_change_it(owner_url):
    url = make_url(owner_url)
    schema = url.query["options"].removeprefix("-csearch_path=")
    role = f"wb_app_{uuid.uuid4().hex[:10]}"
    owner = Store(owner_url)
    workspace_id = owner.ensure_sample_workspace()
    owner.dispose()
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for statement in role_statements(role, schema):
            conn.execute(statement)
    try:
        app_url = url.set(username=role, password="secret").render_as_string(hide_password=False)
        app = Store(app_url)
        assert app.notices == ()
        use_case, version = app.get_use_case(workspace_id, "support-chatbot")
        app.save_use_case(workspace_id, with_value(use_case, "roi.adoption", 0.5), version, actor="Ada")
        app.create_snapshot(workspace_id, "as the app", actor="Ada")
        assert app.verify_audit().ok and app.verify_audit().entries == 3
        assert app.erase_identity("Ada", actor="DPO").pseudonyms  # UPDATE on actors is granted
        app.dispose()
        app_conninfo = make_url(app_url).set(drivername="postgresql").render_as_string(hide_password=False)
        refused = [
            "UPDATE audit_log SET new_value = '0.9'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_refuse_update_delete",
            "ALTER TABLE audit_log DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_log_refuse_update_delete ON audit_log",
            "DROP TABLE audit_log",
        ]
        for statement in refused:
            with psycopg.connect(app_conninfo, autocommit=True) as conn:
                conn.execute(f'SET search_path TO "{schema}"')
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
        checked = Store(owner_url)
        assert checked.verify_audit().ok and checked.verify_audit().entries == 4  # + the one erase_identity entry
        checked.dispose()
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")
