"""What a unit shows the public through its GS1 Digital Link, and what an admin decides of it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from labelsvc.contract.common import Body

# The fields an admin may make public for a scheme's units; the fact that a unit exists and
# whether it is withdrawn are always shown.
PublicField = Literal["product", "lot", "expiry", "production_date"]
DEFAULT_LINK = "https://gs1.org/voc/defaultLink"


class PublicViewIn(Body):
    """The fields a scheme's units show on their public page (none: existence and status)."""

    fields: Annotated[list[PublicField], Field(max_length=4)]

    @field_validator("fields")
    @classmethod
    def _once_each(cls, fields: list[PublicField]) -> list[PublicField]:
        if len(set(fields)) != len(fields):
            raise ValueError("name each field once")
        return fields


class PublicViewOut(BaseModel):
    """What a scheme's units show the public, and who decided it when."""

    scheme: str
    fields: list[PublicField]
    updated_at: dt.datetime | None
    updated_by: str | None


class LinkOut(BaseModel):
    """One link of a linkset (RFC 9264 target attributes)."""

    href: str
    title: str
    type: str
    hreflang: list[str]


class LinksetEntry(BaseModel):
    """The links of one Digital Link URI, in GS1's linkset shape."""

    model_config = ConfigDict(populate_by_name=True)

    anchor: str
    item_description: str | None = Field(None, alias="itemDescription")
    default_link: list[LinkOut] = Field(alias="https://gs1.org/voc/defaultLink")


class LinksetOut(BaseModel):
    """An RFC 9264 linkset (`application/linkset+json`) for one Digital Link."""

    linkset: list[LinksetEntry]


PublicStatus = Literal["active", "withdrawn"]
