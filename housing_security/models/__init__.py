"""The domain vocabulary shared by services and views, one module per aggregate."""
from .audit import AuditLog
from .cases import (
    ACTIVE_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    InfoRequest,
    Objection,
)
from .households import Document, Household, Member
from .housing import Building, Project, Unit, UnitEvent, UnitStatus
from .parameters import ParameterChange
from .people import Jurisdiction, LoginSession, Notification, Role, User
from .rounds import AllocationRound, Assignment, Offer, RentSubsidy, Tenancy
from .security import IdempotencyKey, IntakeConsent, SignInThrottle

__all__ = [
    "ACTIVE_STATUSES", "AllocationRound", "Application", "ApplicationEvent", "ApplicationStatus",
    "Assignment", "AuditLog", "Building", "Document", "Household", "IdempotencyKey", "InfoRequest", "IntakeConsent", "Jurisdiction",
    "LoginSession", "Member", "Notification", "Objection", "Offer", "ParameterChange", "Project",
    "RentSubsidy", "Role", "SignInThrottle", "Tenancy", "Unit", "UnitEvent", "UnitStatus", "User",
]
