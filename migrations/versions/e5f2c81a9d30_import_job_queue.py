"""import jobs become a queue: action, worker, heartbeat, attempts (quizapp/services/jobs.py)

Revision ID: e5f2c81a9d30
Revises: 75b4d086b952
Create Date: 2026-12-02 05:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f2c81a9d30'
down_revision = '75b4d086b952'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('worker', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ix_import_jobs_action_id', ['action', 'id'], unique=False)
        batch_op.create_index('uq_import_jobs_running_owner', ['owner_id'], unique=True,
                              sqlite_where=sa.text('worker IS NOT NULL'),
                              postgresql_where=sa.text('worker IS NOT NULL'))
    # Uploads the old threads were working on when the app stopped to be upgraded: the queue
    # picks them up again instead of leaving them interrupted.
    op.execute("UPDATE import_jobs SET action = 'check', status = 'queued' WHERE status IN ('queued', 'checking')")
    op.execute("UPDATE import_jobs SET action = 'save' WHERE status = 'saving'")


def downgrade():
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_import_jobs_running_owner')
        batch_op.drop_index('ix_import_jobs_action_id')
        batch_op.drop_column('attempts')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('worker')
        batch_op.drop_column('action')
