"""Codes get an optional list of terms that are knowingly not keywords

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 16:00:00

A code's ``exclude`` terms are words its description names, or compounds of a keyword,
that do not by themselves mean the theme: the keyword rules never fire the code on them
and the codebook lint does not ask for them as keywords. Existing codes get none.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exclude', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.drop_column('exclude')
