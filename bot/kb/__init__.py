"""The knowledge base: files in `knowledge/`, their validation, and their sync into the database."""
