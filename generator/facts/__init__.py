"""The fact file: reading YAML with positions, the typed model, its rules, key facts, editions and diffs."""
