"""A unit of the right kind but a tenure the household did not ask for fails at the tenure stage — the stage an
explanation names — not later at the size band, whatever its area."""
import pytest

from housing_security.allocation import load_instance
from housing_security.allocation.compatibility import COMPATIBLE, STAGES, failing_stage

from .test_metrics_by_hand import household, instance_dict, unit


@pytest.mark.parametrize("area", [35, 200])   # inside the 1–2 person band (20–50 m²), and far outside it
@pytest.mark.parametrize("unit_tenure,tenures,stage", [
    ("shared_ownership", ["rental"], "tenure"),
    ("full_property", ["rental", "shared_ownership"], "tenure"),
    ("rental", ["rental"], None),
])
def test_tenure_is_judged_before_the_size_band(area, unit_tenure, tenures, stage):
    data = instance_dict([unit("U1", "A", area, tenure=unit_tenure)],
                         [household("H1", 1, 1, ["A"], "2026-11-01", tenures=tenures)])
    inst = load_instance(data)
    got = failing_stage(inst.households[0], inst.units[0], inst.policy)
    if stage is None:
        assert got == (COMPATIBLE if area == 35 else STAGES.index("size_band"))
    else:
        assert STAGES[got] == "tenure" and got == 2
