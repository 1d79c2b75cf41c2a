"""Allocation rounds: pure (no Flask, no database). The contract is documented in README.md here."""
from .compatibility import is_compatible
from .engine import compare, solve
from .instance import Instance, InstanceError, load_instance

__all__ = ["Instance", "InstanceError", "compare", "generate_instance", "is_compatible", "load_instance",
           "simulate", "solve"]


def generate_instance(households: int, units: int, seed: int, **options) -> dict:
    from .generator import generate_instance as _generate
    return _generate(households, units, seed, **options)


def simulate(months: int = 24, seed: int = 0, **options) -> list[dict]:
    from .simulation import simulate as _simulate
    return _simulate(months, seed, **options)
