"""Housing-security policy: parameter packs, eligibility rules, unit sizes, money, ID numbers, queues.

Pure Python (no Flask, no database), so the web forms, caseworkers' screens, re-verification
and allocation rounds all decide with the same code. See README.md in this folder.
"""

from .engine import DECISION_SCHEMA_VERSION, Decision, evaluate, evaluate_many
from .errors import InputError, InvalidIdNumber, ParameterError, PolicyError
from .household import SCHEMA_VERSION, Household, Member
from .idnumber import is_valid_id_number, make_id_number, mask_id_number, validate_id_number
from .messages import MESSAGES, render, render_rule
from .money import (
    buyback_price,
    rent_subsidy,
    resale_allowed,
    subsidized_rent_ceiling,
    subsidy_amount,
    talent_price,
)
from .ordering import (
    LotteryResult,
    drawn_lottery_ranks,
    entries_hash,
    lottery_draw,
    points_score,
    queue_ranks,
    seed_hash,
    verify_lottery,
    verify_published_draw,
)
from .parameters import Parameter, ParameterPack, ParamRef, list_cities, load_pack, pack_from_mapping
from .rules import RuleResult
from .units import allowed_area_range, unit_fits
from .vocabulary import PRIORITY_GROUPS, PROGRAMMES, RULE_CODES, TENURES

__all__ = [
    "DECISION_SCHEMA_VERSION", "Decision", "evaluate", "evaluate_many",
    "InputError", "InvalidIdNumber", "ParameterError", "PolicyError",
    "SCHEMA_VERSION", "Household", "Member",
    "is_valid_id_number", "make_id_number", "mask_id_number", "validate_id_number",
    "MESSAGES", "render", "render_rule",
    "buyback_price", "rent_subsidy", "resale_allowed", "subsidized_rent_ceiling", "subsidy_amount",
    "talent_price",
    "LotteryResult", "drawn_lottery_ranks", "entries_hash", "lottery_draw", "points_score", "queue_ranks",
    "seed_hash", "verify_lottery", "verify_published_draw",
    "Parameter", "ParameterPack", "ParamRef", "list_cities", "load_pack", "pack_from_mapping",
    "RuleResult", "allowed_area_range", "unit_fits",
    "PRIORITY_GROUPS", "PROGRAMMES", "RULE_CODES", "TENURES",
]
