"""The store: the project file, its schema, and the one write path (changes + events)."""
