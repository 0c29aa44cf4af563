"""Workspace: organisation settings, consultation timeline/contact/archive, set-password
links, scenario pros and cons, decisions linked to advice responses, bulk-import keys

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00

Everything a policy writer or administrator now does in the browser: the municipality's
logo and footer links, archiving consultations, one-time set-password links for new staff
and resets, scenarios with voordelen and nadelen, decisions that answer advice responses,
and idempotent imports of paper and telephone responses.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_media_type', sa.String(length=60), nullable=True))
        for name in ('privacy_url', 'accessibility_url', 'contact_url'):
            batch_op.add_column(sa.Column(name, sa.String(length=500), server_default='', nullable=False))
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timeline', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('password_token_expires_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_password_token_hash'), ['password_token_hash'])
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('advantages', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('disadvantages', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_response_survey_id_import_key'), ['survey_id', 'import_key'])
    op.create_table(
        'decision_advice_response',
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('advice_response_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['advice_response_id'], ['advice_response.id'],
                                name=op.f('fk_decision_advice_response_advice_response_id_advice_response'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decision_id'], ['decision.id'],
                                name=op.f('fk_decision_advice_response_decision_id_decision'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('decision_id', 'advice_response_id', name=op.f('pk_decision_advice_response')),
    )
    with op.batch_alter_table('decision_advice_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_advice_response_advice_response_id'),
                              ['advice_response_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decision_advice_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_advice_response_advice_response_id'))
    op.drop_table('decision_advice_response')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_response_survey_id_import_key'), type_='unique')
        batch_op.drop_column('import_key')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('disadvantages')
        batch_op.drop_column('advantages')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_password_token_hash'), type_='unique')
        batch_op.drop_column('password_token_expires_at')
        batch_op.drop_column('password_token_hash')
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
        batch_op.drop_column('contact')
        batch_op.drop_column('timeline')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        for name in ('contact_url', 'accessibility_url', 'privacy_url'):
            batch_op.drop_column(name)
        batch_op.drop_column('logo_media_type')
        batch_op.drop_column('logo')
