"""The studio's people: the ShootProof contact directory, its cache, CSV import and
export, matching, and links to Pixieset Studio clients (Qt-free)."""
