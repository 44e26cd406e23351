"""OCR word boxes apart from the extraction text.

Only the understand stage reads word boxes (to rebuild an OCR page's layout); a warm re-check
whose documents are already understood reads text alone, and the boxes are most of the bytes.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("extractions", sa.Column("words", sa.LargeBinary, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("extractions") as batch:
        batch.drop_column("words")
