import datetime as dt
from pathlib import Path

import pytest
import yaml

from housing_security.policy import Household, make_id_number

CASES_DIR = Path(__file__).with_name("cases")
AS_OF = dt.date(2024, 6, 1)


def load_cases():
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            out.append((data["city"], case))
    return out


def household_dict(hid="H-1", city="taiyuan", incomes=(1200, 900), area=20, assets=50000, groups=None,
                   **extra):
    members = []
    relations = ["self", "spouse", "child", "parent", "other"]
    for i, income in enumerate(incomes):
        members.append({
            "name": f"成员{i}",
            "id_number": make_id_number("140105", dt.date(1970 + i, 1 + i, 1 + i), 10 + i),
            "relation": relations[min(i, 4)] if i < 2 else "child",
            "income_month": income,
        })
    data = {"id": hid, "hukou_city": city, "hukou_type": "urban", "members": members,
            "assets_yuan": assets, "current_area_m2": area, "groups": groups or {}}
    data.update(extra)
    return data


@pytest.fixture
def make_household():
    def make(**kw):
        return Household.from_dict(household_dict(**kw))
    return make
