"""Bad input is refused naming the record and the field."""
import copy
import datetime as dt

import pytest

from housing_security.allocation import InstanceError, load_instance
from housing_security.allocation.instance import add_months

from .tiny import tiny_instance


def base():
    data = tiny_instance(3, adversarial=True)
    assert data["units"] and data["households"]
    return data


@pytest.mark.parametrize("mutate, record, field", [
    (lambda d: d["units"][0].update(program="villa"), "units[0] (U1)", "program"),
    (lambda d: d["households"][1].update(program="villa"), "households[1] (H2)", "program"),
    (lambda d: d["round"].update(program="villa"), "round", "program"),
    (lambda d: d["units"].append(copy.deepcopy(d["units"][0])), "units[-1] (U1)", "id"),
    (lambda d: d["households"].append(dict(d["households"][0], rank=999)),
     "households[-1] (H1)", "id"),
    (lambda d: d["households"][1].update(rank=d["households"][0]["rank"]), "households[1] (H2)", "rank"),
    (lambda d: d["units"][1].update(area_m2=-3), "units[1] (U2)", "area_m2"),
    (lambda d: d["households"][0].update(approved_on="2026-02-30"), "households[0] (H1)", "approved_on"),
    (lambda d: d["round"].update(date="next week"), "round", "date"),
    (lambda d: d["households"][2].update(size=9), "households[2] (H3)", "size"),
    (lambda d: d["households"][0].update(commitment="yes"), "households[0] (H1)", "commitment"),
    (lambda d: d["policy"].update(tiers=["fit", "due", "housed", "seniority", "fit"]), "policy", "tiers"),
    (lambda d: d["policy"].update(tiers=["due", "housed", "seniority", "preference"]), "policy", "tiers"),
    (lambda d: d["policy"].update(preference_rule="lottery"), "policy", "preference_rule"),
    (lambda d: d["policy"]["size_bands"].append({"min_size": 2, "max_size": 3, "min_area": 0, "max_area": 9,
                                                 "target_area": 5}), "policy.size_bands[2]", "min_size"),
])
def test_bad_input_names_record_and_field(mutate, record, field):
    data = base()
    mutate(data)
    record = record.replace("[-1]", f"[{len(data['units' if record.startswith('units') else 'households']) - 1}]")
    with pytest.raises(InstanceError) as caught:
        load_instance(data)
    assert (caught.value.record, caught.value.field) == (record, field)
    assert record in str(caught.value)


def test_calendar_months_clamp_to_month_end():
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 6, 20), 6) == dt.date(2026, 12, 20)


def test_due_uses_next_round_date():
    data = base()
    data["households"] = [dict(data["households"][0], commitment=True, approved_on="2026-07-01"),
                          dict(data["households"][1], commitment=True, approved_on="2026-07-02"),
                          dict(data["households"][2], commitment=False, approved_on="2026-01-01")]
    due = [h.due for h in load_instance(data).households]
    assert due == [True, False, False]
