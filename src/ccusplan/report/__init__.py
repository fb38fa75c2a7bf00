"""Report layer: tables, charts and maps for people to read."""
