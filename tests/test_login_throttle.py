"""Login throttling that holds under concurrency (SQLite and PostgreSQL): the failure count is taken in the
database before a password is checked, so parallel guesses never check more than max_failures passwords; names
that exist, do not exist, are locked or are disabled answer alike, at the cost of one argon2 check each; locks
are per name and source and short; a new password ends open sessions; login names ignore case and width."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

import cli
import db
from access import auth, guard
from tests.accounts import PASSWORD, admin, editor, password_hash, store_account

KGX = editor("科工信局", "kgx_clerk")
GENERIC = "用户名或密码错误。"


@pytest.fixture(scope="module")
def pg_login_url(pg_cluster):
    """One PostgreSQL database for the module, schema only (logins need no catalogue)."""
    url = pg_cluster.create_database("login")
    eng = db.make_engine(url)
    db.create_schema(eng)
    eng.dispose()
    return url


@pytest.fixture
def sqlite_login_engine(tmp_path):
    """kgx_clerk stored in a fresh SQLite file (for properties that do not depend on the back end)."""
    eng = db.make_engine(f"sqlite:///{tmp_path / 'login.sqlite'}")
    db.create_schema(eng)
    store_account(eng, KGX)
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def login_engine(request, tmp_path):
    """An engine with the account kgx_clerk stored, on a fresh SQLite file or the module's PostgreSQL database
    (its user and throttle tables emptied first)."""
    if request.param == "sqlite":
        eng = db.make_engine(f"sqlite:///{tmp_path / 'login.sqlite'}")
        db.create_schema(eng)
    else:
        eng = db.make_engine(request.getfixturevalue("pg_login_url"))
        with eng.begin() as conn:
            conn.execute(text('DELETE FROM login_throttle'))
            conn.execute(text('DELETE FROM "user"'))
    store_account(eng, KGX)
    yield eng
    eng.dispose()


REAL_DUMMY_HASH = auth.DUMMY_HASH


@pytest.fixture(autouse=True)
def cheap_dummy_hash(monkeypatch):
    """The dummy hash at the test accounts' cheap cost (tests.accounts.TEST_HASHER), so that the module's many
    refused logins stay fast; the cost test below puts the real one back."""
    monkeypatch.setattr(auth, "DUMMY_HASH", password_hash("not-a-password-of-anyone"))


@pytest.fixture
def checks(monkeypatch):
    """The hashes argon2 verified, in order (the dummy hash included)."""
    seen: list[str] = []
    real = auth.check_hash

    def counting(hash_, password):
        seen.append(hash_)
        return real(hash_, password)

    monkeypatch.setattr(auth, "check_hash", counting)
    return seen


def password_checks(seen: list[str]) -> int:
    return sum(1 for h in seen if h != auth.DUMMY_HASH)


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2021, 1, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw) -> None:
        self.t += timedelta(**kw)


# ------------------------------------------------------------------ parallel guesses

def test_parallel_wrong_passwords_check_at_most_max_failures(login_engine, checks):
    """24 sessions (threads, as Streamlit runs them) guess at once: at most five passwords are ever checked."""
    barrier = threading.Barrier(24)
    answers: list[str] = []

    def guess(i: int) -> None:
        barrier.wait()
        try:
            auth.authenticate(login_engine, "kgx_clerk", f"wrong-{i}", source="10.0.0.9")
        except auth.LoginFailed as exc:
            answers.append(str(exc))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 24
    assert password_checks(checks) <= 5
    assert len(checks) == 24  # every answer cost one argon2 check: the refused ones checked the dummy hash
    assert db.read_users(login_engine).set_index("login").loc["kgx_clerk", "failed_count"] >= 5
    with pytest.raises(auth.LoginFailed, match="秒后再试"):  # locked now, even for the right password
        auth.authenticate(login_engine, "kgx_clerk", PASSWORD, source="10.0.0.9")


# ------------------------------------------------------------------ one answer for every refusal

def answers(engine, name: str, password: str, n: int, clock) -> list[str]:
    out = []
    for _ in range(n):
        try:
            auth.authenticate(engine, name, password, clock=clock, source="10.0.0.9")
            out.append("ok")
        except auth.LoginFailed as exc:
            out.append(str(exc))
    return out


def test_unknown_and_known_names_answer_alike_and_both_lock(login_engine):
    clock = Clock()
    known = answers(login_engine, "kgx_clerk", "wrong-password", 6, clock)
    unknown = answers(login_engine, "nobody_here", "wrong-password", 6, clock)
    assert known == unknown
    assert known[:4] == [GENERIC] * 4 and "秒后再试" in known[5]


def test_a_disabled_account_answers_like_a_wrong_password(login_engine):
    guard.disable_user_as(login_engine, admin("管理员"), "kgx_clerk")
    assert answers(login_engine, "kgx_clerk", PASSWORD, 1, Clock()) == [GENERIC]  # the password is not confirmed


@pytest.mark.parametrize("case", ["wrong password", "unknown name", "disabled", "locked"])
def test_every_refusal_costs_one_argon2_check_of_the_same_cost(sqlite_login_engine, checks, monkeypatch, case):
    """Timing cannot tell the cases apart: each runs exactly one verification, of a hash with the parameters
    that hash_password uses (the dummy hash for names without a usable account)."""
    login_engine = sqlite_login_engine
    clock, name, password = Clock(), "kgx_clerk", "wrong-password"
    if case == "locked":  # five failures first (at the cheap cost), then the refusal is measured
        answers(login_engine, name, "wrong-password", 5, clock)
    elif case != "unknown name":
        guard.set_password_as(login_engine, admin("管理员"), "kgx_clerk", PASSWORD)  # a hash of the real cost
    if case == "unknown name":
        name = "nobody_here"
    elif case == "disabled":
        guard.disable_user_as(login_engine, admin("管理员"), "kgx_clerk")
        password = PASSWORD
    monkeypatch.setattr(auth, "DUMMY_HASH", REAL_DUMMY_HASH)
    checks.clear()
    answers(login_engine, name, password, 1, clock)
    assert len(checks) == 1
    assert checks[0].split("$")[3] == auth.HASHER.hash("x").split("$")[3]  # m=65536,t=3,p=4 (the cost)


def test_the_lock_is_per_name_and_source_and_short(login_engine):
    clock = Clock()
    answers(login_engine, "kgx_clerk", "wrong-password", 5, clock)
    assert "秒后再试" in answers(login_engine, "kgx_clerk", PASSWORD, 1, clock)[0]
    # another computer is not locked out by someone guessing elsewhere
    assert auth.authenticate(login_engine, "kgx_clerk", PASSWORD, clock=clock, source="10.0.0.7") == KGX
    conf = auth.access_settings({"access": {}})
    assert auth.lock_seconds(30, conf) == 600  # the longest lock is ten minutes


# ------------------------------------------------------------------ sessions and names

def test_a_new_password_ends_open_sessions(login_engine):
    state: dict = {}
    auth.start_session(state, auth.authenticate(login_engine, "kgx_clerk", PASSWORD), login_engine)
    assert auth.session_account(state, login_engine) == KGX
    guard.set_password_as(login_engine, admin("管理员"), "kgx_clerk", "a-new-secret-1")
    assert auth.session_account(state, login_engine) is None
    auth.start_session(state, auth.authenticate(login_engine, "kgx_clerk", "a-new-secret-1"), login_engine)
    assert auth.session_account(state, login_engine) == KGX


@pytest.mark.parametrize("twin", ["KGX_CLERK", "Kgx_Clerk", "ｋｇｘ＿ｃｌｅｒｋ"])
def test_login_names_ignore_case_and_width(login_engine, twin):
    with pytest.raises(ValueError, match="已存在"):
        guard.add_user_as(login_engine, admin("管理员"), twin, role="viewer", password=PASSWORD)
    assert auth.authenticate(login_engine, twin, PASSWORD) == KGX


@pytest.mark.parametrize("name", ["kgx\u200bclerk2", "kgx\x1bclerk", "kgx clerk", "a"])
def test_login_names_with_invisible_characters_are_refused(login_engine, name):
    with pytest.raises(ValueError, match="用户名"):
        guard.add_user_as(login_engine, admin("管理员"), name, role="viewer", password=PASSWORD)


def test_display_names_are_cleaned(login_engine):
    guard.add_user_as(login_engine, admin("管理员"), "bell", role="viewer", password=PASSWORD,
                      display_name="响铃\x07\x1b[31m红字")
    guard.update_user_as(login_engine, admin("管理员"), "kgx_clerk", display_name="科工信\u2028填报员\x00")
    names = db.read_users(login_engine).set_index("login")["display_name"]
    assert (names["bell"], names["kgx_clerk"]) == ("响铃[31m红字", "科工信 填报员")


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_user_list_prints_no_control_character(db_path, monkeypatch, capsys, fmt):
    """Even a display name an older version stored raw (ESC, BEL) reaches the terminal without them."""
    eng = db.make_engine(f"sqlite:///{db_path}")
    store_account(eng, KGX)
    with eng.begin() as conn:
        conn.execute(text("""UPDATE "user" SET display_name = :d WHERE login = 'kgx_clerk'"""),
                     {"d": "旧\x1b]0;title\x07名"})
    eng.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    assert cli.main(["user", "list", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "旧]0;title名" in out and not [c for c in out if ord(c) < 32 and c != "\n"], repr(out)


def test_login_attempts_are_bookkeeping_not_data(sqlite_login_engine):
    """db.dump (what refused writes are compared by) does not change by a login, failed or not."""
    before = db.dump(sqlite_login_engine)
    answers(sqlite_login_engine, "kgx_clerk", "wrong-password", 2, Clock())
    answers(sqlite_login_engine, "nobody_here", "wrong-password", 1, Clock())
    auth.authenticate(sqlite_login_engine, "kgx_clerk", PASSWORD)
    assert db.dump(sqlite_login_engine) == before


def test_an_older_database_gets_login_keys_on_upgrade(tmp_path):
    """Accounts made before revision 0007 keep their names and log in ignoring case afterwards."""
    eng = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    db.upgrade_schema(eng, "0003")
    with eng.begin() as conn:
        conn.execute(text("""INSERT INTO "user" (login, display_name, role, departments, password_hash, active,
                             created_at, failed_count) VALUES ('Clerk_1', 'Clerk', 'viewer', '[]', :h, 1,
                             '2021-01-01 00:00:00', 3)"""), {"h": password_hash(PASSWORD)})
    db.upgrade_schema(eng)
    assert auth.authenticate(eng, "clerk_1", PASSWORD).login == "Clerk_1"
    with pytest.raises(ValueError, match="已存在"):
        guard.add_user_as(eng, admin("管理员"), "CLERK_1", role="viewer", password=PASSWORD)
    eng.dispose()
