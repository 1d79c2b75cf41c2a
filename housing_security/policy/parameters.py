"""Parameter packs: dated, cited policy figures loaded from YAML (openfisca-style).

A city pack names `inherits: default` and lists only the parameters that differ; a
parameter it lists replaces the inherited fields it gives (its `values` replace the
inherited history as a whole, so a city's figures never mix with example figures).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .errors import ParameterError
from .vocabulary import CITIES, PARAMETER_STATUSES

PARAMS_DIR = Path(__file__).with_name("params")
DEFAULT_PACK = "default"
_REQUIRED = ("unit", "label", "citation", "status", "values")


def normalise(value: Any) -> Any:
    """Turn YAML floats into Decimals so money and ratios stay exact."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str, Decimal)):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(normalise(v) for v in value)
    raise ParameterError(f"unsupported parameter value {value!r}")


def jsonable(value: Any) -> Any:
    """JSON-ready copy: Decimals become strings (exact), dates ISO strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class ParamRef:
    """The value a rule used, with the date from which that value applies."""

    name: str
    value: Any
    effective_from: dt.date
    _json: dict | None = field(default=None, compare=False, repr=False)

    def to_dict(self):
        # A pack snapshot shares one ParamRef among all decisions of a batch, so its JSON form
        # is built once; callers get their own top-level copy.
        if self._json is None:
            object.__setattr__(self, "_json", {
                "name": self.name,
                "value": jsonable(self.value),
                "effective_from": self.effective_from.isoformat(),
            })
        return dict(self._json)


@dataclass(frozen=True)
class Parameter:
    name: str
    unit: str
    label: Mapping[str, str]
    citation: str
    status: str
    values: tuple[tuple[dt.date, Any], ...]
    defined_in: str
    source: str | None = None
    note: str | None = None

    def at(self, as_of: dt.date) -> ParamRef:
        found = None
        for start, value in self.values:
            if start <= as_of:
                found = (start, value)
            else:
                break
        if found is None:
            raise ParameterError(f"{self.name}: no value in force on {as_of.isoformat()}")
        return ParamRef(self.name, found[1], found[0])

    def to_dict(self):
        return {
            "name": self.name,
            "unit": self.unit,
            "label": dict(self.label),
            "citation": self.citation,
            "status": self.status,
            "source": self.source,
            "note": self.note,
            "defined_in": self.defined_in,
            "values": [[d.isoformat(), jsonable(v)] for d, v in self.values],
        }


@dataclass(frozen=True, eq=False)
class ParameterPack:
    code: str
    name: Mapping[str, str]
    params: Mapping[str, Parameter]
    parent: str | None = None
    hash: str = ""
    _snapshots: dict = field(default_factory=dict, repr=False, compare=False)

    def param(self, name: str) -> Parameter:
        try:
            return self.params[name]
        except KeyError:
            raise ParameterError(f"pack {self.code}: unknown parameter {name}") from None

    def value(self, name: str, as_of: dt.date) -> Any:
        return self.param(name).at(as_of).value

    def ref(self, name: str, as_of: dt.date) -> ParamRef:
        return self.param(name).at(as_of)

    def at(self, as_of: dt.date) -> Mapping[str, ParamRef]:
        """Every parameter in force on `as_of`; cached because re-verification asks
        for the same date a hundred thousand times."""
        snap = self._snapshots.get(as_of)
        if snap is None:
            snap = {}
            for name, p in self.params.items():
                try:
                    snap[name] = p.at(as_of)
                except ParameterError:
                    continue
            self._snapshots[as_of] = snap
        return snap

    def offers(self, programme: str, as_of: dt.date) -> bool:
        return programme in self.value("programmes.offered", as_of)

    def to_dict(self):
        return {
            "code": self.code,
            "name": dict(self.name),
            "inherits": self.parent,
            "hash": self.hash,
            "parameters": {n: p.to_dict() for n, p in sorted(self.params.items())},
        }


def _check_entry(pack: str, name: str, entry: Mapping) -> None:
    missing = [k for k in _REQUIRED if k not in entry]
    if missing:
        raise ParameterError(f"pack {pack}: parameter {name} lacks {', '.join(missing)}")
    if entry["status"] not in PARAMETER_STATUSES:
        raise ParameterError(f"pack {pack}: parameter {name}: unknown status {entry['status']}")
    if entry["status"] == "example" and not entry.get("source"):
        raise ParameterError(f"pack {pack}: example parameter {name} must name its source")
    if not isinstance(entry["values"], Mapping) or not entry["values"]:
        raise ParameterError(f"pack {pack}: parameter {name}: values must map dates to values")
    dates = list(entry["values"])
    if any(not isinstance(d, dt.date) for d in dates):
        raise ParameterError(f"pack {pack}: parameter {name}: value keys must be dates")
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise ParameterError(f"pack {pack}: parameter {name}: effective dates out of order")


def _build(pack: str, name: str, entry: Mapping) -> Parameter:
    _check_entry(pack, name, entry)
    return Parameter(
        name=name,
        unit=str(entry["unit"]),
        label={"zh": entry["label"]["zh"], "en": entry["label"]["en"]},
        citation=str(entry["citation"]),
        status=entry["status"],
        values=tuple((d, normalise(v)) for d, v in entry["values"].items()),
        defined_in=pack,
        source=entry.get("source"),
        note=entry.get("note"),
    )


def _pack_hash(code: str, params: Mapping[str, Parameter]) -> str:
    # Provenance (defined_in) is excluded: moving an identical figure between packs
    # must not change which decisions count as made under the same rules.
    body = {n: {k: v for k, v in p.to_dict().items() if k != "defined_in"}
            for n, p in sorted(params.items())}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pack_from_mapping(data: Mapping, parent: ParameterPack | None = None) -> ParameterPack:
    """Build a pack from parsed YAML (or a test's dict), merged over `parent`."""
    code = data.get("code")
    if not code:
        raise ParameterError("parameter pack lacks a code")
    params: dict[str, Parameter] = dict(parent.params) if parent else {}
    for name, entry in (data.get("parameters") or {}).items():
        if parent and name in parent.params:
            base = parent.params[name].to_dict()
            base["values"] = {dt.date.fromisoformat(d): v for d, v in base["values"]}
            base.update(entry)
            if "status" in entry and entry["status"] != "example" and "source" not in entry:
                base["source"] = None
            entry = base
        params[name] = _build(code, name, entry)
    name = data.get("name") or {"zh": code, "en": code}
    return ParameterPack(
        code=code,
        name=name,
        params=params,
        parent=parent.code if parent else None,
        hash=_pack_hash(code, params),
    )


def _read_yaml(code: str) -> Mapping:
    path = PARAMS_DIR / f"{code}.yaml"
    if not path.is_file():
        raise ParameterError(f"unknown parameter pack {code!r}")
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def _load(code: str) -> ParameterPack:
    data = _read_yaml(code)
    parent_code = data.get("inherits")
    parent = _load(parent_code) if parent_code else None
    if data.get("code") != code:
        raise ParameterError(f"{code}.yaml declares code {data.get('code')!r}")
    return pack_from_mapping(data, parent)


def load_pack(city: str | ParameterPack = DEFAULT_PACK) -> ParameterPack:
    """The pack for a city code (e.g. "taiyuan"), or `default`; a loaded pack passes through."""
    if isinstance(city, ParameterPack):
        return city
    if not isinstance(city, str) or not city.isidentifier():
        raise ParameterError(f"unknown parameter pack {city!r}")
    return _load(city)


def list_cities() -> tuple[str, ...]:
    """City codes that have a parameter pack, in the plan's order."""
    return tuple(c for c in CITIES if (PARAMS_DIR / f"{c}.yaml").is_file())
