"""The OpenAPI 3.1 document of /api/v1 (its schemas are JSON Schema 2020-12; a test checks real answers
against them)."""
from __future__ import annotations

from ..models import API_SCOPES
from ..models.cases import PROGRAMMES, ApplicationStatus

DATE = {"type": ["string", "null"], "format": "date"}
LABEL = {"type": "object", "required": ["zh", "en"], "additionalProperties": False,
         "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}
STATUS = {"type": "string", "enum": [s.value for s in ApplicationStatus]}
PROGRAMME = {"type": "string", "enum": list(PROGRAMMES)}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "status"],
              "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
    "CaseStatusRequest": {
        "type": "object", "required": ["reference", "id_number"], "additionalProperties": False,
        "properties": {"reference": {"type": "string", "maxLength": 32},
                       "id_number": {"type": "string", "description": "The main applicant's 18-character ID number"}},
    },
    "CaseStatus": {
        "type": "object", "additionalProperties": False,
        "required": ["reference", "programme", "programme_label", "status", "status_label", "submitted_on",
                     "review_due_on", "publicity_until", "waitlist_since", "queue_rank", "next_reverification_on",
                     "exit_buffer_until", "history"],
        "properties": {
            "reference": {"type": "string"}, "programme": PROGRAMME, "programme_label": LABEL,
            "status": STATUS, "status_label": LABEL, "submitted_on": DATE, "review_due_on": DATE,
            "publicity_until": DATE, "waitlist_since": DATE, "queue_rank": {"type": ["integer", "null"]},
            "next_reverification_on": DATE, "exit_buffer_until": DATE,
            "history": {"type": "array", "items": {
                "type": "object", "required": ["status", "on"], "additionalProperties": False,
                "properties": {"status": STATUS, "on": {"type": "string", "format": "date"}}}},
        },
    },
    "Indicators": {
        "type": "object", "additionalProperties": False, "required": ["city", "as_of", "allocation_rates",
                                                                      "cases_by_status"],
        "properties": {
            "city": {"type": "string"}, "as_of": {"type": "string", "format": "date"},
            "allocation_rates": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["programme", "units", "allocated", "rate", "target"],
                "properties": {"programme": PROGRAMME, "units": {"type": "integer", "minimum": 0},
                               "allocated": {"type": "integer", "minimum": 0},
                               "rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                               "target": {"type": ["number", "null"]}}}},
            "cases_by_status": {"type": "object", "propertyNames": STATUS,
                                "additionalProperties": {"type": "integer", "minimum": 0}},
        },
    },
    "PublicityList": {
        "type": "object", "additionalProperties": False,
        "required": ["city", "page", "page_size", "total", "items"],
        "properties": {
            "city": {"type": "string"}, "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer"}, "total": {"type": "integer", "minimum": 0},
            "items": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["reference", "applicant", "household_size", "programme", "street", "approved_on",
                             "publicity_until"],
                "properties": {"reference": {"type": "string"},
                               "applicant": {"type": "string", "description": "Name masked as on the public page"},
                               "household_size": {"type": "integer", "minimum": 1}, "programme": PROGRAMME,
                               "street": LABEL, "approved_on": DATE, "publicity_until": DATE}}},
        },
    },
}


def _json(schema: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _errors(*codes: int) -> dict:
    text = {400: "Bad request", 401: "Missing, unknown or revoked token", 403: "The client lacks this scope",
            404: "Not found within the client's city (or the ID number does not match)",
            429: "Rate limit exceeded"}
    return {str(code): {"description": text[code], **_json("Error")} for code in codes}


def _secured(scope: str) -> list:
    return [{"bearerToken": [scope]}]


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "housing_security API", "version": "1.0.0",
                 "description": "Read-only API for the provincial platform and the government service app. "
                                "Each client has one city and scopes: " + ", ".join(API_SCOPES) + "."},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer",
                                                "description": "A client token issued by an administrator"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            "/case-status": {"post": {
                "operationId": "caseStatus", "summary": "Status of a case, as its applicant sees it",
                "security": _secured("case_status"),
                "requestBody": {"required": True, **_json("CaseStatusRequest")},
                "responses": {"200": {"description": "The case", **_json("CaseStatus")},
                              **_errors(400, 401, 403, 404, 429)}}},
            "/indicators": {"get": {
                "operationId": "indicators", "summary": "The city's indicators", "security": _secured("indicators"),
                "responses": {"200": {"description": "Indicators", **_json("Indicators")},
                              **_errors(401, 403, 429)}}},
            "/publicity": {"get": {
                "operationId": "publicity", "summary": "The public 公示 list", "security": _secured("publicity"),
                "parameters": [{"name": "page", "in": "query", "required": False,
                                "schema": {"type": "integer", "minimum": 1, "default": 1}}],
                "responses": {"200": {"description": "Cases in publicity", **_json("PublicityList")},
                              **_errors(400, 401, 403, 429)}}},
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document", "security": [],
                "responses": {"200": {"description": "The OpenAPI document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        },
    }
