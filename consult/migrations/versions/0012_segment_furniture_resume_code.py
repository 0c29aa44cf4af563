"""Notes furniture on segments; a short resume code for survey responses

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:00:00

``segment.furniture``: the title and "Aanwezig: ..." lines of meeting notes are kept as
segments but never coded (existing segments: false, as they were coded before).
``response.resume_code_hash``: the SHA-256 of a short code that resumes a response
without its long link (existing responses have none; they keep their link).
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('furniture', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resume_code_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_response_resume_code_hash'), ['resume_code_hash'])


def downgrade() -> None:
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_response_resume_code_hash'), type_='unique')
        batch_op.drop_column('resume_code_hash')
    with op.batch_alter_table('segment', schema=None) as batch_op:
        batch_op.drop_column('furniture')
