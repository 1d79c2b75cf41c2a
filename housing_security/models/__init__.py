"""The domain vocabulary shared by services and views, one module per aggregate."""
from .api import API_SCOPES, ApiClient
from .audit import AuditLog
from .cases import ACTIVE_STATUSES, Application, ApplicationEvent, ApplicationStatus, InfoRequest, Objection
from .households import Document, Household, Member
from .housing import Building, Project, Unit, UnitEvent, UnitStatus
from .jobs import Job
from .lab import PolicyLabRun
from .ledger import CaseTask, RentCharge, RentPayment, SubsidyBatch, SubsidyPayment
from .lottery import LotteryDraw
from .notices import NoticeDelivery
from .parameters import ParameterChange
from .people import Jurisdiction, LoginSession, Notification, Role, User
from .registry import REGISTRY_KINDS, RegistryCheck, RegistryRecord, RegistrySnapshot
from .rounds import AllocationRound, Assignment, Offer, RentSubsidy, Tenancy
from .security import IdempotencyKey, IntakeConsent, SignInThrottle
from .stock import MaintenanceOverdue, StockImport

__all__ = [
    "ACTIVE_STATUSES", "API_SCOPES", "AllocationRound", "ApiClient", "Application", "ApplicationEvent",
    "ApplicationStatus", "Assignment", "AuditLog", "Building", "CaseTask", "Document", "Household",
    "IdempotencyKey", "InfoRequest", "IntakeConsent", "Job", "Jurisdiction", "LoginSession", "LotteryDraw",
    "MaintenanceOverdue", "Member", "NoticeDelivery", "Notification", "Objection", "Offer", "ParameterChange",
    "PolicyLabRun", "Project", "REGISTRY_KINDS", "RegistryCheck", "RegistryRecord", "RegistrySnapshot",
    "RentCharge", "RentPayment", "RentSubsidy", "Role", "SignInThrottle", "StockImport", "SubsidyBatch",
    "SubsidyPayment", "Tenancy", "Unit", "UnitEvent", "UnitStatus", "User",
]
