"""Tenancies after the keys: the monthly rent roll (charges, payments, arrears with ageing), payments recorded by
hand or imported from the bank's statement, the exit triggers of 住建部令第11号 (2012) raised as caseworker tasks,
renewal on re-verification, and the voluntary move-out with its inspection.

* Charges: every active tenancy owes its contract rent for each calendar month from the month of the keys
  (daily job `rent_roll`, set-based, idempotent). While the case is in its exit buffer and the city charges the
  market rent then (`tenancy.buffer_market_rent`), the month is charged at the market rent (area × the project's
  market rent per m²) where that is recorded.
* Arrears: charges due up to the month minus payments; payments settle the oldest charge first, so the ageing
  (months each unpaid charge has been owed) follows.
* Exit triggers (`tenancy.exit_triggers`): arrears of `tenancy.arrears_exit_months` or more months raise a task
  for the street caseworker (daily job `exit_triggers`); the other grounds (sublet, change of use, vacancy,
  other housing) are raised by the caseworker from the tenancy page. One open task per tenancy and ground.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Optional

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Application,
    ApplicationEvent,
    Building,
    CaseTask,
    Project,
    RentCharge,
    RentPayment,
    Tenancy,
    Unit,
    UnitStatus,
    User,
)
from ..policy.money import money
from . import audit, transitions, unit_status
from .calendar import add_months, end_of_month, workflow_value
from .contracts import contract_end
from .parameters import effective_pack

TRIGGERS = ("arrears", "vacancy", "sublet", "change_of_use", "other_housing")
AGE_BUCKETS = ((1, "0_1"), (3, "1_3"), (6, "3_6"), (None, "6_plus"))


class TenancyError(ValueError):
    def __init__(self, field: str, code: str, **params):
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.params = params


def month_of(day: date) -> date:
    return day.replace(day=1)


def _pack_value(city_code: str, name: str, as_of: date, default=None):
    try:
        return effective_pack(city_code).value(name, as_of)
    except Exception:  # a pack without the parameter: the caller's default
        return default


# ---- charges ---------------------------------------------------------------------------------------------

def generate_charges(month: date, city_code: Optional[str] = None) -> dict:
    """Write the missing charges of `month` for every active tenancy (one select, one bulk insert)."""
    month = month_of(month)
    missing = ~exists().where(RentCharge.tenancy_id == Tenancy.id, RentCharge.month == month)
    query = (select(Tenancy.id, Tenancy.rent_month, Application.status, Application.city_code, Unit.area_m2,
                    Project.market_rent_per_m2)
             .join(Application, Tenancy.application_id == Application.id)
             .join(Unit, Tenancy.unit_id == Unit.id).join(Building, Unit.building_id == Building.id)
             .join(Project, Building.project_id == Project.id)
             .where(Tenancy.status == "active", func.coalesce(Tenancy.keys_on, Tenancy.start_on) <= end_of_month(month),
                    Tenancy.end_on >= month, ~Tenancy.rent_basis.like("sale_%"), missing))
    if city_code:
        query = query.where(Application.city_code == city_code)
    market_in_buffer: dict[str, bool] = {}
    values = []
    for row in db.session.execute(query):
        amount, basis = Decimal(str(row.rent_month)), "contract"
        if row.status == "exiting":
            if row.city_code not in market_in_buffer:
                market_in_buffer[row.city_code] = bool(_pack_value(row.city_code, "tenancy.buffer_market_rent",
                                                                   month, False))
            if market_in_buffer[row.city_code] and row.market_rent_per_m2 is not None:
                amount = money(Decimal(str(row.area_m2)) * Decimal(str(row.market_rent_per_m2)))
                basis = "market_rent"
        values.append({"tenancy_id": row.id, "month": month, "amount": amount, "basis": basis})
    if values:
        db.session.execute(insert(RentCharge), values)
    return {"charges": len(values)}


# ---- payments --------------------------------------------------------------------------------------------

def record_payment(tenancy: Tenancy, actor: Optional[User], amount, paid_on: date, reference: str,
                   source: str = "manual") -> RentPayment:
    reference = (reference or "").strip()
    if not reference:
        raise TenancyError("reference", "reference_required")
    try:
        amount = money(amount)
    except (InvalidOperation, ValueError, TypeError):
        raise TenancyError("amount", "amount_invalid") from None
    if amount <= 0:
        raise TenancyError("amount", "amount_not_positive")
    if tenancy.status not in ("active", "ended"):
        raise TenancyError("tenancy", "tenancy_not_let")
    if db.session.scalar(select(RentPayment.id).where(RentPayment.tenancy_id == tenancy.id,
                                                      RentPayment.reference == reference)):
        raise TenancyError("reference", "duplicate_reference")
    payment = RentPayment(tenancy_id=tenancy.id, paid_on=paid_on, amount=amount, reference=reference, source=source,
                          recorded_by_id=getattr(actor, "id", None))
    db.session.add(payment)
    audit.record("rent.payment", payment, actor=actor, tenancy=tenancy.id, amount=amount, paid_on=paid_on,
                 reference=reference, source=source)
    return payment


@dataclass
class ImportReport:
    rows: int = 0
    written: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)   # {row, column, code}


BANK_COLUMNS = ("申请编号", "日期", "金额", "流水号")


def import_bank_csv(data: bytes, city_code: str, actor: Optional[User], dry_run: bool = False) -> ImportReport:
    """A bank statement as CSV (columns 申请编号, 日期, 金额, 流水号; UTF-8 with or without BOM, or GBK as saved by
    Excel). Every bad row is reported with its row number and column; nothing is written unless every row is
    good. Rows already recorded (same tenancy and 流水号) are skipped, so a statement may be imported twice."""
    report = ImportReport()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        report.errors.append({"row": 0, "column": "", "code": "undecodable"})
        return report
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in BANK_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append({"row": 1, "column": missing[0], "code": "missing_column"})
        return report
    parsed = []
    for number, row in enumerate(reader, start=2):
        report.rows += 1
        reference = (row.get("申请编号") or "").strip()
        tenancy = db.session.scalar(select(Tenancy).join(Application, Tenancy.application_id == Application.id).where(
            Application.reference == reference, Application.city_code == city_code,
            Tenancy.status.in_(("active", "ended"))).order_by(Tenancy.id.desc())) if reference else None
        if tenancy is None:
            report.errors.append({"row": number, "column": "申请编号", "code": "unknown_tenancy"})
            continue
        try:
            paid_on = date.fromisoformat((row.get("日期") or "").strip().replace("/", "-"))
        except ValueError:
            report.errors.append({"row": number, "column": "日期", "code": "bad_date"})
            continue
        try:
            amount = money((row.get("金额") or "").strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            report.errors.append({"row": number, "column": "金额", "code": "amount_invalid"})
            continue
        if amount <= 0:
            report.errors.append({"row": number, "column": "金额", "code": "amount_not_positive"})
            continue
        serial = (row.get("流水号") or "").strip()
        if not serial:
            report.errors.append({"row": number, "column": "流水号", "code": "reference_required"})
            continue
        parsed.append((tenancy, amount, paid_on, serial))
    if report.errors or dry_run:
        return report
    seen = set()
    for tenancy, amount, paid_on, serial in parsed:
        key = (tenancy.id, serial)
        if key in seen or db.session.scalar(select(RentPayment.id).where(RentPayment.tenancy_id == tenancy.id,
                                                                         RentPayment.reference == serial)):
            report.duplicates += 1
            continue
        seen.add(key)
        record_payment(tenancy, actor, amount, paid_on, serial, source="bank")
        report.written += 1
    audit.record("rent.bank_import", None, actor=actor, city=city_code, rows=report.rows, written=report.written,
                 duplicates=report.duplicates)
    return report


# ---- arrears and the roll --------------------------------------------------------------------------------

@dataclass
class Balance:
    charged: Decimal
    paid: Decimal
    arrears: Decimal
    months_owed: int                      # unpaid (or part-paid) charges
    ageing: dict                          # bucket → amount


def _months_between(older: date, newer: date) -> int:
    return (newer.year - older.year) * 12 + newer.month - older.month


def balances(tenancy_ids: Iterable[int], as_of: date) -> dict[int, Balance]:
    """Arrears with ageing of many tenancies at once (two set-based selects)."""
    ids = list(tenancy_ids)
    month = month_of(as_of)
    charges: dict[int, list] = defaultdict(list)
    paid: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
    for start in range(0, len(ids), 10_000):  # bounded IN lists (SQLite's variable limit)
        chunk = ids[start:start + 10_000]
        for tenancy_id, charge_month, amount in db.session.execute(
                select(RentCharge.tenancy_id, RentCharge.month, RentCharge.amount)
                .where(RentCharge.tenancy_id.in_(chunk), RentCharge.month <= month).order_by(RentCharge.month)):
            charges[tenancy_id].append((charge_month, Decimal(str(amount))))
        for tenancy_id, total in db.session.execute(
                select(RentPayment.tenancy_id, func.sum(RentPayment.amount))
                .where(RentPayment.tenancy_id.in_(chunk), RentPayment.paid_on <= as_of)
                .group_by(RentPayment.tenancy_id)):
            paid[tenancy_id] = Decimal(str(total))
    result = {}
    for tenancy_id in ids:
        left = paid[tenancy_id]
        ageing = {bucket: Decimal("0") for _, bucket in AGE_BUCKETS}
        owed_months = 0
        charged = sum((amount for _, amount in charges[tenancy_id]), Decimal("0"))
        for charge_month, amount in charges[tenancy_id]:  # oldest first: payments settle the oldest charge
            settled = min(left, amount)
            left -= settled
            unpaid = amount - settled
            if unpaid > 0:
                owed_months += 1
                age = _months_between(charge_month, month)
                bucket = next(b for limit, b in AGE_BUCKETS if limit is None or age < limit)
                ageing[bucket] += unpaid
        arrears = max(charged - paid[tenancy_id], Decimal("0"))
        result[tenancy_id] = Balance(charged, paid[tenancy_id], arrears, owed_months, ageing)
    return result


def roll(city_code: str, month: date, limit: Optional[int] = None) -> list[dict]:
    """The month's rent roll: every tenancy let in the month with its charge, payments and arrears."""
    month = month_of(month)
    query = (select(Tenancy).join(Application, Tenancy.application_id == Application.id)
             .where(Application.city_code == city_code, Tenancy.status.in_(("active", "ended")),
                    ~Tenancy.rent_basis.like("sale_%"),
                    func.coalesce(Tenancy.keys_on, Tenancy.start_on) <= end_of_month(month), Tenancy.end_on >= month)
             .order_by(Tenancy.id))
    if limit:
        query = query.limit(limit)
    tenancies = db.session.scalars(query).all()
    charge_of = dict(db.session.execute(select(RentCharge.tenancy_id, RentCharge.amount).where(
        RentCharge.tenancy_id.in_([t.id for t in tenancies]), RentCharge.month == month)).all()) if tenancies else {}
    as_of = min(end_of_month(month), date.today()) if month <= date.today() else end_of_month(month)
    balance = balances([t.id for t in tenancies], as_of)
    return [{"tenancy": t, "charge": charge_of.get(t.id), "balance": balance[t.id]} for t in tenancies]


# ---- exit triggers as caseworker tasks -------------------------------------------------------------------

def raise_task(application: Application, tenancy: Optional[Tenancy], kind: str, on: date, actor=None,
               **data) -> Optional[CaseTask]:
    """One open task per tenancy (or case) and ground; returns None when one is already open."""
    if kind not in TRIGGERS:
        raise TenancyError("kind", "unknown_trigger")
    open_one = db.session.scalar(select(CaseTask.id).where(
        CaseTask.application_id == application.id, CaseTask.kind == kind, CaseTask.status == "open"))
    if open_one:
        return None
    task = CaseTask(application_id=application.id, tenancy_id=tenancy.id if tenancy else None, kind=kind,
                    status="open", raised_on=on, data={key: audit._jsonable(v) for key, v in data.items()})
    db.session.add(task)
    audit.record("case_task.raise", task, actor=actor, application=application.id, kind=kind, **data)
    return task


def close_task(task: CaseTask, actor: User, outcome: str) -> CaseTask:
    outcome = (outcome or "").strip()
    if not outcome:
        raise TenancyError("outcome", "outcome_required")
    if task.status != "open":
        raise TenancyError("task", "task_closed")
    from ..models._types import utcnow

    task.status, task.outcome, task.closed_by_id, task.closed_at = "done", outcome, actor.id, utcnow()
    audit.record("case_task.close", task, actor=actor, application=task.application_id, outcome=outcome)
    return task


def exit_triggers(as_of: date, city_code: Optional[str] = None) -> dict:
    """Daily job: tenancies owing `tenancy.arrears_exit_months` or more months of rent get an arrears task.
    Set-based: the tenancies' ids and cities in one select, their balances in two; only the flagged ones load."""
    query = (select(Tenancy.id, Application.city_code).join(Application, Tenancy.application_id == Application.id)
             .where(Tenancy.status == "active", Application.status == "housed",
                    exists().where(RentCharge.tenancy_id == Tenancy.id)))
    if city_code:
        query = query.where(Application.city_code == city_code)
    rows = db.session.execute(query).all()
    owed = balances([tenancy_id for tenancy_id, _ in rows], as_of)
    limits: dict[str, int] = {}
    flagged = []
    for tenancy_id, city in rows:
        if city not in limits:
            limits[city] = int(_pack_value(city, "tenancy.arrears_exit_months", as_of, 6))
        if owed[tenancy_id].months_owed >= limits[city]:
            flagged.append(tenancy_id)
    raised = 0
    for tenancy in db.session.scalars(select(Tenancy).where(Tenancy.id.in_(flagged))
                                      .options(selectinload(Tenancy.application))).all() if flagged else []:
        city = tenancy.application.city_code
        balance = owed[tenancy.id]
        task = raise_task(tenancy.application, tenancy, "arrears", as_of, months_owed=balance.months_owed,
                          arrears=balance.arrears, limit=limits[city],
                          citation=effective_pack(city).param("tenancy.arrears_exit_months").citation)
        raised += int(task is not None)
    return {"tenancies": len(rows), "flagged": len(flagged), "raised": raised}


# ---- renewal and move-out --------------------------------------------------------------------------------

def renew_if_due(application: Application, as_of: date, actor: Optional[User]) -> Optional[Tenancy]:
    """Called when re-verification confirms a housed household: a contract ending within
    `workflow.renewal_window_months` is renewed for another `workflow.contract_years` from its end."""
    tenancy = db.session.scalar(select(Tenancy).where(Tenancy.application_id == application.id,
                                                      Tenancy.status == "active").order_by(Tenancy.id.desc()))
    if tenancy is None:
        return None
    window = int(workflow_value(application.city_code, "renewal_window_months", as_of, default=3))
    if tenancy.end_on > add_months(as_of, window):
        return None
    years = int(workflow_value(application.city_code, "contract_years", as_of))
    old_end = tenancy.end_on
    tenancy.end_on = contract_end(old_end, years)
    db.session.add(ApplicationEvent(application=application, actor_id=getattr(actor, "id", None),
                                    action="tenancy_renewed", from_status=application.status,
                                    to_status=application.status, reason="",
                                    data={"tenancy": tenancy.id, "from": old_end.isoformat(),
                                          "to": tenancy.end_on.isoformat()}))
    audit.record("tenancy.renew", tenancy, actor=actor, application=application.id, old_end=old_end,
                 new_end=tenancy.end_on, as_of=as_of)
    return tenancy


def give_notice(tenancy: Tenancy, actor: Optional[User], move_out_on: date, inspection_on: date,
                today: Optional[date] = None) -> Tenancy:
    """The tenant leaves of their own will: the move-out day and the inspection of the unit are booked."""
    today = today or date.today()
    if tenancy.status != "active":
        raise TenancyError("tenancy", "tenancy_not_active")
    if move_out_on < today:
        raise TenancyError("move_out_on", "move_out_in_past")
    if inspection_on < move_out_on:
        raise TenancyError("inspection_on", "inspection_before_move_out")
    tenancy.move_out_on, tenancy.inspection_on = move_out_on, inspection_on
    audit.record("tenancy.notice", tenancy, actor=actor, move_out_on=move_out_on, inspection_on=inspection_on)
    return tenancy


def record_inspection(tenancy: Tenancy, actor: Optional[User], on: date, repairs: str = "",
                      until: Optional[date] = None) -> Tenancy:
    """After the inspection the tenancy ends, the case leaves (exited) and the unit returns to the pool, or goes
    to maintenance with the repairs found and their expected end."""
    if tenancy.status != "active" or tenancy.move_out_on is None:
        raise TenancyError("tenancy", "no_notice")
    if on < tenancy.move_out_on:
        raise TenancyError("on", "inspection_before_move_out")
    repairs = (repairs or "").strip()
    application = tenancy.application
    tenancy.status = "ended"
    if tenancy.move_out_on > tenancy.start_on:
        tenancy.end_on = tenancy.move_out_on
    target = UnitStatus.maintenance if repairs else UnitStatus.vacant
    unit_status.change_unit_status(tenancy.unit, target, actor, on=on, reason=repairs, until=until,
                                   tenancy=tenancy.id, cause="move_out")
    if application.status in ("housed", "exiting"):
        transitions.move(application, "exited", actor, "move_out", tenancy=tenancy.id,
                         move_out_on=tenancy.move_out_on.isoformat(), inspection_on=on.isoformat())
    audit.record("tenancy.end", tenancy, actor=actor, application=application.id, unit=tenancy.unit_id,
                 inspection_on=on, unit_status=target.value, repairs=repairs)
    return tenancy
