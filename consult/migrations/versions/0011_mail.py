"""E-mail: invitations to address lists, per-consultation message templates, the mail log

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:30:12

Three new tables (see consult/models/mail.py); nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mail_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('invitation', 'reminder', 'resume', 'receipt', 'published', 'staff_account', 'password_reset', 'test', name='mailkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_mail_template_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_mail_template_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_template')),
    sa.UniqueConstraint('consultation_id', 'kind', name=op.f('uq_mail_template_consultation_id_kind'))
    )
    with op.batch_alter_table('mail_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_template_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_template_updated_by_id'), ['updated_by_id'], unique=False)

    op.create_table('mail_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('invitation_code_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('address_key', sa.String(length=64), nullable=True),
    sa.Column('stakeholder_group_id', sa.Integer(), nullable=True),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.Column('last_reminded_at', sa.DateTime(), nullable=True),
    sa.Column('unsubscribed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_code_id'], ['invitation_code.id'], name=op.f('fk_mail_invitation_invitation_code_id_invitation_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhood.id'], name=op.f('fk_mail_invitation_neighbourhood_id_neighbourhood'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stakeholder_group_id'], ['stakeholder_group.id'], name=op.f('fk_mail_invitation_stakeholder_group_id_stakeholder_group'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_mail_invitation_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_invitation')),
    sa.UniqueConstraint('survey_id', 'address_key', name=op.f('uq_mail_invitation_survey_id_address_key'))
    )
    with op.batch_alter_table('mail_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_invitation_invitation_code_id'), ['invitation_code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_invitation_neighbourhood_id'), ['neighbourhood_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_invitation_stakeholder_group_id'), ['stakeholder_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_invitation_survey_id'), ['survey_id'], unique=False)

    op.create_table('mail_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('invitation', 'reminder', 'resume', 'receipt', 'published', 'staff_account', 'password_reset', 'test', name='mailkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('unsubscribe_url', sa.String(length=500), nullable=True),
    sa.Column('status', sa.Enum('queued', 'sent', 'failed', name='mailstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('dedup_key', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_mail_message_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_mail_message_job_id_job'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_mail_message_requested_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_message')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_mail_message_dedup_key'))
    )
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_message_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_requested_by_id'), ['requested_by_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_message_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_mail_message_job_id'))
        batch_op.drop_index(batch_op.f('ix_mail_message_created_at'))
        batch_op.drop_index(batch_op.f('ix_mail_message_consultation_id'))

    op.drop_table('mail_message')
    with op.batch_alter_table('mail_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_invitation_survey_id'))
        batch_op.drop_index(batch_op.f('ix_mail_invitation_stakeholder_group_id'))
        batch_op.drop_index(batch_op.f('ix_mail_invitation_neighbourhood_id'))
        batch_op.drop_index(batch_op.f('ix_mail_invitation_invitation_code_id'))

    op.drop_table('mail_invitation')
    with op.batch_alter_table('mail_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_template_updated_by_id'))
        batch_op.drop_index(batch_op.f('ix_mail_template_consultation_id'))

    op.drop_table('mail_template')
