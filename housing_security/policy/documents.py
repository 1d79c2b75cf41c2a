"""Which proofs an application must include (一次性告知): the city's `documents.required` list read against the
programme, the tenure and the circumstances the household declares. Pure: no Flask, no database.

《公共租赁住房管理办法》（住房和城乡建设部令第11号）第七条: the applicant submits the materials the city requires; the
city tells them all at once, before the applicant starts.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Optional

# The circumstances a rule may depend on (what the household declares in its sections).
CIRCUMSTANCES = ("minimum_allowance", "special_hardship", "low_income", "veteran_family", "disability")


@dataclass(frozen=True)
class Requirement:
    kind: str                       # a document kind (services/documents.KINDS)
    when: tuple[str, ...]           # () = always; otherwise any of these declared circumstances
    citation: Mapping[str, str]     # {zh: …, en: …}

    def citation_in(self, language: str) -> str:
        return str(self.citation.get("en" if language.startswith("en") else "zh") or self.citation.get("zh", ""))


def _rule(entry: Mapping) -> Requirement:
    when = entry.get("when", "always")
    when = () if when in (None, "always") else tuple([when] if isinstance(when, str) else when)
    citation = entry.get("citation") or {}
    if isinstance(citation, str):
        citation = {"zh": citation, "en": citation}
    return Requirement(str(entry["kind"]), when, dict(citation))


def rules_for(rules: Iterable[Mapping], programme: str, tenure: Optional[str] = None) -> list[Requirement]:
    """Every requirement of the programme (and tenure, where a rule names tenures), conditional ones included:
    what the notice before applying lists."""
    out = []
    for entry in rules:
        if programme not in entry.get("programmes", ()):
            continue
        tenures = entry.get("tenures")
        if tenures and tenure and tenure not in tenures:
            continue
        out.append(_rule(entry))
    return out


def required(rules: Iterable[Mapping], programme: str, tenure: Optional[str],
             circumstances: Iterable[str]) -> list[Requirement]:
    """The proofs this application needs: the programme's unconditional ones and those whose circumstance the
    household declares."""
    declared = set(circumstances)
    return [r for r in rules_for(rules, programme, tenure) if not r.when or declared & set(r.when)]


def missing(requirements: Iterable[Requirement], uploaded_kinds: Iterable[str]) -> list[Requirement]:
    have = set(uploaded_kinds)
    return [r for r in requirements if r.kind not in have]
