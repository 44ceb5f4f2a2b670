"""The knowledge base: Markdown documents with YAML front matter, their schema, validation and importers."""
