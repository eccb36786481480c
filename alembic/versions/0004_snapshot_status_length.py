"""snapshot_row.status holds the longer status key no_final_data (无期末数据)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 22:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Widen snapshot_row.status from 12 to 20 characters."""
    with op.batch_alter_table('snapshot_row', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=12), type_=sa.String(length=20),
                              existing_nullable=False)


def downgrade() -> None:
    """Back to 12 characters (a stored no_final_data would not fit: refuse rather than cut it)."""
    bind = op.get_bind()
    too_long = bind.execute(sa.text("SELECT count(*) FROM snapshot_row WHERE length(status) > 12")).scalar_one()
    if too_long:
        raise RuntimeError(f"snapshot_row 中有 {too_long} 行状态为 no_final_data，无法退回到 12 个字符的列")
    with op.batch_alter_table('snapshot_row', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=20), type_=sa.String(length=12),
                              existing_nullable=False)
