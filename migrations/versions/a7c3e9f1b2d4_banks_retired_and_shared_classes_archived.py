"""banks: retired, shared with teachers or the school; classes: archived

Revision ID: a7c3e9f1b2d4
Revises: f3b9d2e4a6c1
Create Date: 2026-12-05 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9f1b2d4'
down_revision = 'f3b9d2e4a6c1'
branch_labels = None
depends_on = None


def upgrade():
    # Existing banks stay private and live; existing classes stay open.
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sharing', sa.String(length=16), nullable=False, server_default='private'))
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.drop_column('sharing')
        batch_op.drop_column('retired_at')
