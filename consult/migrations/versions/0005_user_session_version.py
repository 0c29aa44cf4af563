"""user.session_version: server-side revocation of session cookies

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00

The session cookie is signed but client-side; a copy taken before logout stayed valid
for its whole lifetime. The cookie now carries the account's session version, which
logout, a new password and deactivation increase.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
