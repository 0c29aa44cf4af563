"""segment.masked_text is always set

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:00:00

``masked_text IS NULL`` used to mean "nothing to mask" for segments made by the CLI and
the demo, and "not masked yet" elsewhere, so readers masked again at read time. Now the
column always holds the masked text (equal to ``text`` when there is nothing to mask).
NULL rows are masked here with the current masking rules rather than copied from
``text``: a NULL written under older, looser rules is not trusted to be clean.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    from analysis.privacy import mask

    conn = op.get_bind()
    segment = sa.table('segment', sa.column('id', sa.Integer), sa.column('text', sa.Text),
                       sa.column('masked_text', sa.Text))
    last = 0
    while True:
        rows = conn.execute(sa.select(segment.c.id, segment.c.text)
                            .where(segment.c.masked_text.is_(None), segment.c.id > last)
                            .order_by(segment.c.id).limit(BATCH)).all()
        if not rows:
            break
        conn.execute(segment.update().where(segment.c.id == sa.bindparam('sid'))
                     .values(masked_text=sa.bindparam('masked')),
                     [{'sid': sid, 'masked': mask(text)} for sid, text in rows])
        last = rows[-1][0]
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.alter_column('masked_text', existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    # The masked text stays; only the constraint goes.
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.alter_column('masked_text', existing_type=sa.Text(), nullable=True)
