"""Meetings keep their masked title

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 19:00:00

``meeting.title_masked`` is the title with personal data masked, set whenever the title is
set (``Meeting.masked_title`` shows it). Masking loads the Dutch lexicon (about 1 s and
120 MB), which a report otherwise loaded only to mask a handful of meeting titles. Existing
meetings are masked here, once.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_masked', sa.Text(), nullable=True))
    bind = op.get_bind()
    meeting = sa.table('meeting', sa.column('id', sa.Integer), sa.column('title', sa.String),
                       sa.column('title_masked', sa.Text))
    rows = bind.execute(sa.select(meeting.c.id, meeting.c.title)).all()
    if rows:
        from analysis.privacy import mask

        for id_, title in rows:
            bind.execute(meeting.update().where(meeting.c.id == id_).values(title_masked=mask(title or "")))


def downgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('title_masked')
