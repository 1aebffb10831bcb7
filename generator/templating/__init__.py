"""Everything templates render with: the sandboxed Jinja environment, labels and locale formats, brand, context."""
