"""``tandem match``: pairs, JSON for audit, the matrix, publishing."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from app.cli import app

runner = CliRunner()


def test_match_json_pairs_the_demo_cohort_and_publish_records_it(cli_env: None) -> None:
    runner.invoke(app, ["demo", "--no-serve"])
    slug = json.loads(runner.invoke(app, ["cohort", "list", "--json"]).output)[0]["slug"]
    result = runner.invoke(app, ["match", slug, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert sorted(len(g["members"]) for g in data["groups"]) == [2] * 13
    assert data["unpaired"] == []
    assert data["total"] == pytest.approx(sum(g["score"] for g in data["groups"]))
    matrix = json.loads(runner.invoke(app, ["match", slug, "--matrix", "--json"]).output)
    blocked = {frozenset((b["a"], b["b"])) for b in matrix["blocked"]}
    assert all(frozenset(g["members"]) not in blocked for g in data["groups"])
    assert (data["bound"], data["gap"], data["optimal"]) == (data["total"], 0.0, True)
    published = runner.invoke(app, ["match", slug, "--publish"])
    assert published.exit_code == 0
    bound = f"{data['total']:.2f}"
    assert f"total {bound} · bound {bound} · optimal; 13 groups; published" in published.output
    again = runner.invoke(app, ["match", slug])
    assert again.exit_code == 1
    assert "published" in again.output
