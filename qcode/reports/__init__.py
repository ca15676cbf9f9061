"""Reports: SQL that counts (frequencies, co-occurrence, segments, summary, agreement)
and renderers that turn the rows into tables, CSV, JSON, Markdown and HTML."""
