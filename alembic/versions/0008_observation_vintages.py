"""observation vintages: 数据状态 and 发布日期 on every value, earlier vintages kept

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00.000000

Every stored value becomes the current vintage of its key with 数据状态 "unstated" (未注明) and no release date;
nothing is copied or rewritten, so every value, version and audit row stays as it was.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('observation_vintage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('data_status', sa.String(length=12), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('is_sample', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], ),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('region_id', 'indicator_id', 'year', 'quarter', 'data_status', 'released_on',
                        name='uq_observation_vintage')
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_status', sa.String(length=12), server_default='unstated',
                                      nullable=False))
        batch_op.add_column(sa.Column('released_on', sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema (earlier vintages are dropped; current values stay)."""
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_column('released_on')
        batch_op.drop_column('data_status')
    op.drop_table('observation_vintage')
