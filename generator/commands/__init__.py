"""The ``generate`` command line and the commands that are more than a build (check, serve, new, config)."""
