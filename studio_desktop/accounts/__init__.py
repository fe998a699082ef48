"""Signing in to ShootProof and Pixieset and keeping the studio's accounts (Qt-free)."""
