"""accounts: email verified (self-registration's emailed link), disabled by an administrator

Revision ID: f3b9d2e4a6c1
Revises: e5f2c81a9d30
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b9d2e4a6c1'
down_revision = 'e5f2c81a9d30'
branch_labels = None
depends_on = None


def upgrade():
    # Accounts from before the setting are verified (server default true): nobody is locked out.
    # Plain ADD COLUMN, which SQLite does in place: a batch operation would copy and drop the users
    # table, which every learner's cards and answers refer to.
    op.add_column('users', sa.Column('email_verified', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('users', sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('disabled_at')
        batch_op.drop_column('email_verified')
