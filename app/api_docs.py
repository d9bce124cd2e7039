"""``GET /api/openapi.json``: the OpenAPI 3.1 description of every JSON endpoint.

The description is hand-written in ``app/openapi.yaml`` (a feature adding a JSON endpoint adds it there); it is
read once, on first use, and served as JSON."""

from __future__ import annotations

import functools
import os

import yaml
from flask import Blueprint, jsonify

bp = Blueprint("api_docs", __name__)

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi.yaml")


@functools.cache
def load_spec() -> dict:
    """The description as a mapping (loaded once per process; do not mutate it)."""
    with open(SPEC_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@bp.route("/api/openapi.json")
def openapi_json():
    response = jsonify(load_spec())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # public and secret-free: let API explorers read it
    return response
