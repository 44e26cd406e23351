"""Initial run store: runs, their flags, and cached extractions.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(500), nullable=False),
        sa.Column("evidence_dir", sa.Text, nullable=False),
        sa.Column("out_dir", sa.Text),
        sa.Column("rule_pack", sa.String(200)),
        sa.Column("lang", sa.String(8)),
        sa.Column("extractor_version", sa.String(50)),
        sa.Column("flow_run_id", sa.String(64)),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("documents", sa.Integer),
        sa.Column("errors", sa.Integer),
        sa.Column("warnings", sa.Integer),
        sa.Column("infos", sa.Integer),
        sa.Column("failure", sa.Text),
        sa.Column("report_json", sa.Text),
    )
    op.create_index("ix_runs_unit_started", "runs", ["unit", "started_at"])
    op.create_table(
        "run_flags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("flag_id", sa.String(16)),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("indicator", sa.String(50)),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
    )
    op.create_index("ix_run_flags_run", "run_flags", ["run_id"])
    op.create_index("ix_run_flags_key", "run_flags", ["key"])
    op.create_table(
        "extractions",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("extractor_version", sa.String(50), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("ocr_pages", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("extractions")
    op.drop_index("ix_run_flags_key", "run_flags")
    op.drop_index("ix_run_flags_run", "run_flags")
    op.drop_table("run_flags")
    op.drop_index("ix_runs_unit_started", "runs")
    op.drop_table("runs")
