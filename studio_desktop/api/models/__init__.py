"""ShootProof API v2 response objects as frozen dataclasses, by resource.

Every model has ``from_json(d)``: extra fields are ignored, a missing optional
field becomes ``None`` (or an empty tuple), and a missing or malformed required
field (an id, mostly) raises :class:`BadResponseError` with a plain message.
Ids are ``int``; money is ``Decimal``; dates stay the strings the server sent
(``"YYYY-MM-DD HH:MM:SS"``, UTC) because the API does not promise one format.
Nested sequences are tuples so the objects stay immutable.

How the fields are read (and the service's odd types tolerated) is in
:mod:`.base` and :mod:`.lenient`; the models themselves only declare fields.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studio_desktop.api.models.commerce import (
        Invoice,
        InvoiceItem,
        Order,
        OrderAddon,
        OrderAddress,
        OrderContact,
        OrderDetails,
        OrderItem,
        OrderPayment,
        OrderProduct,
        OrderTransaction,
    )
    from studio_desktop.api.models.contacts import Address, BulkContactError, BulkContactResult, Contact
    from studio_desktop.api.models.events import (
        Album,
        BulkEmailResult,
        Event,
        EventTree,
        GalleryVisitor,
        MobileApp,
        MobileAppLink,
        PhotoLabel,
        VisitorPhotos,
    )
    from studio_desktop.api.models.lenient import field_errors, opt_bool, opt_int, opt_str, req_int
    from studio_desktop.api.models.pages import Page, parse_list, parse_one
    from studio_desktop.api.models.photos import CoverPhoto, Photo, PhotoUrls, UploadResult
    from studio_desktop.api.models.studio import (
        Brand,
        BrandAddress,
        Category,
        EventDefault,
        Plan,
        StudioInfo,
        StudioUser,
        Watermark,
        WatermarkList,
    )

#: Where each name lives. A module is loaded when one of its names is first asked for (PEP 562), so a
#: run that uploads never makes the commerce or contacts dataclasses (start-up is most of a short run).
_HOME = {
    "Invoice": "commerce",
    "InvoiceItem": "commerce",
    "Order": "commerce",
    "OrderAddon": "commerce",
    "OrderAddress": "commerce",
    "OrderContact": "commerce",
    "OrderDetails": "commerce",
    "OrderItem": "commerce",
    "OrderPayment": "commerce",
    "OrderProduct": "commerce",
    "OrderTransaction": "commerce",
    "Address": "contacts",
    "BulkContactError": "contacts",
    "BulkContactResult": "contacts",
    "Contact": "contacts",
    "Album": "events",
    "BulkEmailResult": "events",
    "Event": "events",
    "EventTree": "events",
    "GalleryVisitor": "events",
    "MobileApp": "events",
    "MobileAppLink": "events",
    "PhotoLabel": "events",
    "VisitorPhotos": "events",
    "field_errors": "lenient",
    "opt_bool": "lenient",
    "opt_int": "lenient",
    "opt_str": "lenient",
    "req_int": "lenient",
    "Page": "pages",
    "parse_list": "pages",
    "parse_one": "pages",
    "CoverPhoto": "photos",
    "Photo": "photos",
    "PhotoUrls": "photos",
    "UploadResult": "photos",
    "Brand": "studio",
    "BrandAddress": "studio",
    "Category": "studio",
    "EventDefault": "studio",
    "Plan": "studio",
    "StudioInfo": "studio",
    "StudioUser": "studio",
    "Watermark": "studio",
    "WatermarkList": "studio",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


__all__ = [
    "Address",
    "Album",
    "Brand",
    "BrandAddress",
    "BulkContactError",
    "BulkContactResult",
    "BulkEmailResult",
    "Category",
    "Contact",
    "CoverPhoto",
    "Event",
    "EventDefault",
    "EventTree",
    "GalleryVisitor",
    "Invoice",
    "InvoiceItem",
    "MobileApp",
    "MobileAppLink",
    "Order",
    "OrderAddon",
    "OrderAddress",
    "OrderContact",
    "OrderDetails",
    "OrderItem",
    "OrderPayment",
    "OrderProduct",
    "OrderTransaction",
    "Page",
    "Photo",
    "PhotoLabel",
    "PhotoUrls",
    "Plan",
    "StudioInfo",
    "StudioUser",
    "UploadResult",
    "VisitorPhotos",
    "Watermark",
    "WatermarkList",
    "field_errors",
    "opt_bool",
    "opt_int",
    "opt_str",
    "parse_list",
    "parse_one",
    "req_int",
]
