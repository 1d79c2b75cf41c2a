"""The bridge from stored households to the pure policy engine, and back into the case record."""
from __future__ import annotations

from datetime import date

from .. import policy
from ..models import Application, Household
from .parameters import effective_pack

GROUP_FLAGS = ("minimum_allowance", "special_hardship", "low_income", "veteran_family")


def policy_household(household: Household, other_benefit: str | None = None) -> policy.Household:
    """The engine's view of a stored household (same JSON shape as `check-eligibility` reads)."""
    return policy.Household.from_dict({
        "id": str(household.id),
        "hukou_city": household.hukou_city,
        "hukou_type": household.hukou_type,
        "assets_yuan": str(household.assets_yuan or 0),
        "current_area_m2": str(household.current_area_m2 or 0),
        "groups": {flag: bool(getattr(household, flag)) for flag in GROUP_FLAGS},
        "other_benefit": other_benefit,
        "members": [
            {
                "name": m.name,
                "id_number": m.id_number,
                "relation": m.relation,
                "birth_date": m.birth_date.isoformat() if m.birth_date else None,
                "disability": bool(m.disability),
                "income_month": str(m.income_month or 0),
                "employed_locally": bool(m.employed_locally),
                "social_insurance_local": bool(m.social_insurance_local),
                "talent_category": m.talent_category or None,
                "owns_home_in_city": bool(m.owns_home_in_city),
            }
            for m in household.members
        ],
    })


def decide(application: Application, as_of: date, other_benefit: str | None = None) -> policy.Decision:
    """Run the engine for this case and keep its decision, with the pack hash, on the case."""
    decision = policy.evaluate(
        policy_household(application.household, other_benefit), application.programme,
        effective_pack(application.city_code), as_of, tenure=application.tenure,
    )
    application.decision = decision.to_dict()
    application.pack_hash = decision.pack_hash
    application.eligible = decision.eligible
    application.priority_group = decision.priority_groups[0] if decision.priority_groups else "general"
    application.commitment = bool(decision.commitment_applies)
    return decision
