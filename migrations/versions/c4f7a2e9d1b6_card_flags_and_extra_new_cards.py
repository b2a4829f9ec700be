"""cards: flag (0 none, 1-4 red, orange, green, blue), reset_at; users: extra new cards for one study day;
bank_options: a learner's options per bank (new-card order, learning steps, leech, bury siblings)

Revision ID: c4f7a2e9d1b6
Revises: e5c2a9d7f1b3
Create Date: 2026-12-02 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f7a2e9d1b6'
down_revision = 'e5c2a9d7f1b3'
branch_labels = None
depends_on = None


def upgrade():
    # Existing cards carry no flag; no learner has raised today's new-card limit.
    op.add_column('cards', sa.Column('flag', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('cards', sa.Column('reset_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('extra_new', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('users', sa.Column('extra_new_until', sa.DateTime(timezone=True), nullable=True))
    op.create_table('bank_options',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('new_order', sa.String(length=8), nullable=False),
    sa.Column('learning_steps', sa.JSON(), nullable=False),
    sa.Column('leech_threshold', sa.Integer(), nullable=False),
    sa.Column('leech_action', sa.String(length=8), nullable=False),
    sa.Column('bury_siblings', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['banks.id'], name=op.f('fk_bank_options_bank_id_banks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bank_options_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'bank_id', name=op.f('pk_bank_options'))
    )


def downgrade():
    op.drop_table('bank_options')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('extra_new_until')
        batch_op.drop_column('extra_new')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('reset_at')
        batch_op.drop_column('flag')
