"""Studio Desktop: ShootProof galleries, bulk uploads and hot folders for working photographers."""

__version__ = "0.1.0"
APP_NAME = "Studio Desktop"
APP_ID = "studio-desktop"
