"""job.parent_id and job.document_id: chunked coding runs and notes processing status

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00

A coding run is one parent job with chunk jobs that several workers take in parallel;
the parent's progress is derived from its children. Segmenting uploaded notes is a job
too, and the document page shows its status, found by ``document_id``.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_job_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_document_id'), ['document_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_job_parent_id_job'), 'job', ['parent_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_job_document_id_document'), 'document', ['document_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_job_document_id_document'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_job_parent_id_job'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_job_document_id'))
        batch_op.drop_index(batch_op.f('ix_job_parent_id'))
        batch_op.drop_column('document_id')
        batch_op.drop_column('parent_id')
