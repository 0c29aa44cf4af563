"""consultation.reported_on and raw_text_purged_at: retention of unmasked text

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:30:00

Raw, unmasked text is purged a configurable number of months after a consultation is
reported (``consult privacy purge``). Consultations already reported get the end of their
period (or today) as their report date.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reported_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('raw_text_purged_at', sa.DateTime(), nullable=True))
    consultation = sa.table('consultation', sa.column('status', sa.String), sa.column('ends_on', sa.Date),
                            sa.column('reported_on', sa.Date))
    op.execute(consultation.update().where(consultation.c.status == 'reported')
               .values(reported_on=sa.func.coalesce(consultation.c.ends_on, sa.func.current_date())))


def downgrade() -> None:
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_column('raw_text_purged_at')
        batch_op.drop_column('reported_on')
