"""Codes get an optional reader-facing text

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 14:00:00

Reports print a theme's reader text (what the theme is about, in plain Dutch) and never
the coder instructions (gloss, description). Existing codes get an empty text, so their
themes show the label alone.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reader_text', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.drop_column('reader_text')
