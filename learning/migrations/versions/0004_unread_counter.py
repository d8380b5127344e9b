"""users: unread notifications counter

Revision ID: 0004_unread_counter
Revises: 0003_assessments
Create Date: 2026-11-22 08:52:02.027885

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learning.db  # noqa: F401 (custom column types, when used)

# revision identifiers, used by Alembic.
revision: str = '0004_unread_counter'
down_revision: str | Sequence[str] | None = '0003_assessments'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unread_notifications', sa.Integer(), nullable=False,
                                      server_default='0'))
    # Start from the notifications people already have.
    op.execute("UPDATE users SET unread_notifications = (SELECT COUNT(*) FROM notifications "
               "WHERE notifications.user_id = users.id AND notifications.read_at IS NULL)")


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('unread_notifications')
