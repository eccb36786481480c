"""login names compared without case, login throttle per name and source, session epochs; one open extension
request per milestone, request versions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:30:00

"""
import unicodedata
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


_OPEN = "state IN ('requested', 'returned', 'forwarded')"  # vocab.extensions.OPEN_STATES as of this revision


def _login_key(login: str) -> str:
    """vocab.accounts.login_key as of this revision (a migration keeps its own copy of what it computes)."""
    return unicodedata.normalize("NFKC", login).strip().casefold()[:60]


def upgrade() -> None:
    """Upgrade schema."""
    conn = op.get_bind()
    users = conn.execute(sa.text('SELECT id, login FROM "user" ORDER BY id')).fetchall()
    keys: dict[str, list[str]] = {}
    for _id, login in users:
        keys.setdefault(_login_key(login), []).append(login)
    twins = [names for names in keys.values() if len(names) > 1]
    if twins:
        raise RuntimeError("以下账号的用户名只差大小写或全角半角，升级后不能并存，请先停用并改用其他用户名后再升级："
                           + "；".join("、".join(names) for names in twins))
    op.create_table('login_throttle',
    sa.Column('login_key', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_attempt', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('login_key', 'source'),
    info={'dump_skip': True}
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login_key', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
    for _id, login in users:
        conn.execute(sa.text('UPDATE "user" SET login_key = :k WHERE id = :i'), {"k": _login_key(login), "i": _id})
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('login_key', existing_type=sa.String(length=60), nullable=False)
        batch_op.create_unique_constraint('uq_user_login_key', ['login_key'])
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_count')

    doubled = conn.execute(sa.text(
        "SELECT milestone_id, COUNT(*) FROM extension_request WHERE " + _OPEN + " GROUP BY milestone_id "
        "HAVING COUNT(*) > 1")).fetchall()
    if doubled:
        raise RuntimeError("以下推进节点有不止一件未办结的延期申请（并发写入所致），请先由督查室退回或领导不批准多余的申请后再升级："
                           + "、".join(f"节点 {m}（{n} 件）" for m, n in doubled))
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.create_index('uq_extension_request_open', 'extension_request', ['milestone_id'], unique=True,
                    sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('uq_extension_request_open', table_name='extension_request')
    with op.batch_alter_table('extension_request', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint('uq_user_login_key', type_='unique')
        batch_op.drop_column('session_epoch')
        batch_op.drop_column('login_key')
    op.drop_table('login_throttle')
