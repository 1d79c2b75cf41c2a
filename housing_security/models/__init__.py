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
from .ledger import CaseTask, RentCharge, RentPayment, SubsidyBatch, SubsidyPayment
from .households import Document, Household, Member
from .housing import Building, Project, Unit, UnitEvent, UnitStatus
from .parameters import ParameterChange
from .people import Jurisdiction, LoginSession, Notification, Role, User
from .rounds import AllocationRound, Assignment, Offer, RentSubsidy, Tenancy

__all__ = [
    "ACTIVE_STATUSES", "AllocationRound", "Application", "ApplicationEvent", "ApplicationStatus",
    "Assignment", "AuditLog", "Building", "CaseTask", "RentCharge", "RentPayment", "SubsidyBatch",
    "SubsidyPayment", "Document", "Household", "InfoRequest", "Jurisdiction",
    "LoginSession", "Member", "Notification", "Objection", "Offer", "ParameterChange", "Project",
    "RentSubsidy", "Role", "Tenancy", "Unit", "UnitEvent", "UnitStatus", "User",
]
