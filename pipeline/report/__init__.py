"""What a run writes for people and tools: report.json, report.html, report.xlsx, review
decisions, atomic output; their templates and schema."""
