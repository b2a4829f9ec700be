"""bank_options: relearning steps per bank (Anki's deck option), NULL meaning the default (10 minutes)

Revision ID: d2b6e8f4a1c7
Revises: a7c3e5f9b2d4
Create Date: 2026-12-02 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2b6e8f4a1c7'
down_revision = 'a7c3e5f9b2d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bank_options', schema=None) as batch_op:
        batch_op.add_column(sa.Column('relearning_steps', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('bank_options', schema=None) as batch_op:
        batch_op.drop_column('relearning_steps')
