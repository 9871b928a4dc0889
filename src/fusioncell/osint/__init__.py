"""Open-source monitoring: news feeds and article archives read into the cell, searchable and tied to its records."""
