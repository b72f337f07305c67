"""Writers: a declaration rendered as text, JSON, CSV, XLSX, HTML and exchange formats."""
