"""Segments keep their ranked candidate codes and how informative a review is

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 16:00:00

A coding run stores, per segment, the best three codes below the coder's threshold
(``candidates``, shown as one-key choices on the review screen) and, for the learning
coder, the distance of the nearest code to its threshold (``review_margin``: the review
queue can put the most informative segments first). Existing segments get neither until
their next coding run.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('candidates', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('review_margin', sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.drop_column('review_margin')
        batch_op.drop_column('candidates')
