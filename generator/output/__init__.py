"""Where builds land: the output folder and its workspace, the staged writer, manifest, download page, verification."""
