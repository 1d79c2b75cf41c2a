"""Stable identifiers shared by the engine, the UI and stored decisions.

These are names, not policy numbers: the figures behind them live in the YAML packs.
"""

PROGRAMMES = ("public_rental", "subsidized_rental", "talent", "shared_ownership")

# Each programme's tenures; the first is used when neither caller nor pack chooses one.
TENURES = {
    "public_rental": ("unit", "rent_subsidy"),
    "subsidized_rental": ("residential", "dormitory"),
    "talent": ("rental", "full_property", "shared_ownership"),
    "shared_ownership": ("property",),
}

PRIORITY_GROUPS = (
    "minimum_allowance",
    "special_hardship",
    "low_income",
    "elderly",
    "disabled",
    "veteran_family",
)

# Groups an applicant declares; the others are derived from the members.
DECLARED_GROUPS = ("minimum_allowance", "special_hardship", "low_income", "veteran_family")

RULE_CODES = (
    "id_number_valid",
    "applicant_adult",
    "program_offered",
    "no_other_benefit",
    "local_urban_hukou",
    "income_limit",
    "housing_area_limit",
    "asset_limit",
    "no_local_home",
    "local_employment",
    "talent_certified",
)

RELATIONS = ("self", "spouse", "child", "parent", "other")
HUKOU_TYPES = ("urban", "rural")
TALENT_LEVELS = ("high_level", "general")
PARAMETER_STATUSES = ("plan", "national", "example", "city")
ORDERING_METHODS = ("priority", "points", "lottery")

CITIES = (
    "taiyuan", "jinzhong", "datong", "linfen", "changzhi", "yuncheng",
    "jincheng", "yangquan", "shuozhou", "xinzhou", "lvliang",
)
