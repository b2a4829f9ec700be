"""typo overrides on answers; each quiz item's outcome as graded when answered

Revision ID: d4e1a7c09b21
Revises: bc468586c7f3
Create Date: 2026-12-02 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e1a7c09b21'
down_revision = 'bc468586c7f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overridden', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('quiz_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz_items', schema=None) as batch_op:
        batch_op.drop_column('outcome')
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.drop_column('overridden')
