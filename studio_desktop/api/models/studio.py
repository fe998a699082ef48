"""The studio and its brands: ``sp.studio.info``, ``sp.brand.*``, watermarks and categories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

from studio_desktop.api.models.base import EMPTY_IS_NONE, Model


@dataclass(frozen=True)
class Plan(Model):
    _what: ClassVar[str] = "plan"

    type: str | None
    used: int | None
    allowed: int | None

    @property
    def remaining(self) -> int | None:
        if self.used is None or self.allowed is None:
            return None
        return max(0, self.allowed - self.used)


@dataclass(frozen=True)
class StudioUser(Model):
    _what: ClassVar[str] = "user"

    first_name: str | None
    last_name: str | None


@dataclass(frozen=True)
class StudioInfo(Model):
    _what: ClassVar[str] = "studio"

    name: str | None
    user: StudioUser | None
    homepage_url: str | None
    plan: Plan | None


@dataclass(frozen=True)
class BrandAddress(Model):
    _what: ClassVar[str] = "brand address"

    address_1: str | None = None
    address_2: str | None = None
    city: str | None = None
    state: str | None = None
    state_other: str | None = None
    country: str | None = None
    zip_postal: str | None = None

    def to_params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Brand(Model):
    _what: ClassVar[str] = "brand"

    id: int
    name: str | None
    is_default: bool | None = None
    subdomain: str | None = None
    custom_domain: Annotated[str | None, EMPTY_IS_NONE] = None
    locale: str | None = None
    website: Annotated[str | None, EMPTY_IS_NONE] = None
    homepage_url: str | None = None
    email: str | None = None
    phone: str | None = None
    address: BrandAddress | None = None


@dataclass(frozen=True)
class EventDefault(Model):
    """A brand's named preset for new events (``sp.brand.get_event_defaults``)."""

    _what: ClassVar[str] = "event default"

    id: int
    name: str | None
    is_default: bool | None = None


@dataclass(frozen=True)
class Category(Model):
    _what: ClassVar[str] = "category"

    id: int
    name: str | None
    display_order: int | None = None
    cover_url: Annotated[str | None, EMPTY_IS_NONE] = None


@dataclass(frozen=True)
class Watermark(Model):
    _what: ClassVar[str] = "watermark"

    id: int
    name: str | None
    is_default: bool | None = None


@dataclass(frozen=True)
class WatermarkList(Model):
    _what: ClassVar[str] = "watermark list"

    apply_default_to_new_uploads: bool | None
    watermarks: tuple[Watermark, ...]

    @property
    def default(self) -> Watermark | None:
        return next((w for w in self.watermarks if w.is_default), None)
