"""The domain vocabulary shared by services and views, one module per aggregate."""
from .audit import AuditLog
from .cases import ACTIVE_STATUSES, Application, ApplicationEvent, ApplicationStatus, InfoRequest, Objection
from .households import Document, Household, Member
from .housing import Building, Project, Unit, UnitEvent, UnitStatus
from .jobs import Job
from .lab import PolicyLabRun
from .lottery import LotteryDraw
from .parameters import ParameterChange
from .people import Jurisdiction, LoginSession, Notification, Role, User
from .rounds import AllocationRound, Assignment, Offer, RentSubsidy, Tenancy
from .stock import MaintenanceOverdue, StockImport

__all__ = [
    "ACTIVE_STATUSES", "AllocationRound", "Application", "ApplicationEvent", "ApplicationStatus", "Assignment",
    "AuditLog", "Building", "Document", "Household", "InfoRequest", "Job", "Jurisdiction", "LoginSession",
    "LotteryDraw", "MaintenanceOverdue", "Member", "Notification", "Objection", "Offer", "ParameterChange",
    "PolicyLabRun", "Project", "RentSubsidy", "Role", "StockImport", "Tenancy", "Unit", "UnitEvent", "UnitStatus",
    "User",
]
