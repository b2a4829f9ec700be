"""quiz attempts: time limit, timed out, reschedule or practice only; quiz items: flagged

Revision ID: e5c2a9d7f1b3
Revises: b8d1f4c2e7a9
Create Date: 2026-12-02 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5c2a9d7f1b3'
down_revision = 'b8d1f4c2e7a9'
branch_labels = None
depends_on = None


def upgrade():
    # Existing attempts: no time limit, not timed out, and their answers did move the cards on.
    op.add_column('quiz_attempts', sa.Column('time_limit', sa.Integer(), nullable=True))
    op.add_column('quiz_attempts', sa.Column('timed_out', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('quiz_attempts', sa.Column('reschedule', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('quiz_items', sa.Column('flagged', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('quiz_items', schema=None) as batch_op:
        batch_op.drop_column('flagged')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('reschedule')
        batch_op.drop_column('timed_out')
        batch_op.drop_column('time_limit')
