"""The project's one renderer for official documents (Decree 30/2020/NĐ-CP), DOCX and PDF."""
