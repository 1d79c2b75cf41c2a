"""The housing stock: projects, their buildings, and the units handed out in allocation rounds."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import AREA, MONEY, UTCDateTime, utcnow


class UnitStatus(str, enum.Enum):
    """A unit's place in its life: in the pool (vacant), held by a draft round (reserved), offered, accepted and
    awaiting its contract, let or sold (occupied), out of use for repairs (maintenance, with a reason and an
    expected return), or taken out of the programme (withdrawn)."""

    vacant = "vacant"
    reserved = "reserved"
    offered = "offered"
    awaiting_contract = "awaiting_contract"
    occupied = "occupied"
    maintenance = "maintenance"
    withdrawn = "withdrawn"


UNIT_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{status.value}'" for status in UnitStatus))


class Project(db.Model):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    city_code: Mapped[str] = mapped_column(String(32), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    programme: Mapped[str] = mapped_column(String(32), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    government_invested: Mapped[bool] = mapped_column(Boolean, default=True)
    completed_on: Mapped[Optional[date]] = mapped_column(Date)
    # Market rent of comparable housing at this location, yuan per m² per month (subsidized rental
    # rents stay below it by the city's ratio, plan §4(2)); cost per m² of construction and land,
    # from which talent property prices follow (plan box 1). Either may be unknown.
    market_rent_per_m2: Mapped[Optional[Decimal]] = mapped_column(MONEY)
    cost_per_m2: Mapped[Optional[Decimal]] = mapped_column(MONEY)

    district = relationship("Jurisdiction")
    buildings: Mapped[list[Building]] = relationship(back_populates="project", cascade="all, delete-orphan")


class Building(db.Model):
    __tablename__ = "building"
    __table_args__ = (
        UniqueConstraint("project_id", "name", name="uq_building_project_name"),
        CheckConstraint("floors >= 1", name="floors_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    floors: Mapped[int] = mapped_column(Integer)
    elevator: Mapped[bool] = mapped_column(Boolean, default=False)

    project: Mapped[Project] = relationship(back_populates="buildings")
    units: Mapped[list[Unit]] = relationship(back_populates="building", cascade="all, delete-orphan")


class Unit(db.Model):
    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("building_id", "number", name="uq_unit_building_number"),
        CheckConstraint("area_m2 > 0", name="area_positive"),
        CheckConstraint("bedrooms >= 0", name="bedrooms_non_negative"),
        CheckConstraint("rent_month >= 0", name="rent_non_negative"),
        CheckConstraint("kind IN ('apartment', 'dormitory')", name="kind"),
        CheckConstraint(UNIT_STATUS_CHECK, name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(16))
    programme: Mapped[str] = mapped_column(String(32), index=True)
    tenure: Mapped[Optional[str]] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default="apartment")
    area_m2: Mapped[Decimal] = mapped_column(AREA)
    bedrooms: Mapped[int] = mapped_column(Integer, default=1)
    floor: Mapped[int] = mapped_column(Integer)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    rent_month: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(24), index=True, default=UnitStatus.vacant.value)
    # Why the unit is in its status and until when, where that status needs it (maintenance: the repair and the
    # expected return date); kept in step with the newest UnitEvent by services/unit_status.py.
    status_note: Mapped[str] = mapped_column(Text, default="")
    status_until: Mapped[Optional[date]] = mapped_column(Date)

    building: Mapped[Building] = relationship(back_populates="units")
    events: Mapped[list[UnitEvent]] = relationship(back_populates="unit", order_by="UnitEvent.id",
                                                     cascade="all, delete-orphan")

    @property
    def project(self) -> Project:
        return self.building.project

    @property
    def label(self) -> str:
        return f"{self.building.project.name} {self.building.name}-{self.number}"


class UnitEvent(db.Model):
    """A unit's history, append-only: every status change with its business date, who made it and why. The
    portfolio allocation rate of any past day is recomputed from these rows (plan §4(1))."""

    __tablename__ = "unit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(Date, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[Optional[str]] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    unit: Mapped[Unit] = relationship(back_populates="events")
