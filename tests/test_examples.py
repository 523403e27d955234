"""Shipped scenarios by name: ``swisssim.examples`` and the SCENARIO argument's name lookup."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import REPO
from swisssim import examples, load_scenario
from swisssim.cli.app import main
from swisssim.errors import InputError


def test_the_repository_folder_is_the_package_folder():
    assert (REPO / "scenarios").resolve() == examples.folder().resolve()
    assert examples.names() == sorted(p.stem for p in (REPO / "scenarios").glob("*.toml"))
    assert (examples.folder() / "LICENSES" / "benchbench-1.0.1-LICENSE.txt").is_file()


@pytest.mark.parametrize("name", ["helm_capabilities", "bbh"])
def test_load_by_name_equals_load_by_path(name):
    by_name = examples.load(name)
    by_path = load_scenario(REPO / "scenarios" / f"{name}.toml")
    pd.testing.assert_frame_equal(by_name.scores, by_path.scores)
    assert by_name.rounds == by_path.rounds


def test_listing_gives_provenance():
    listing = {item.name: item for item in examples.listing()}
    assert listing["helm_capabilities"].models == 65
    assert "HELM Capabilities" in listing["helm_capabilities"].provenance
    assert "SYNTHETIC" in listing["paper_synthetic"].provenance


def test_an_existing_file_wins_over_a_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert examples.resolve("helm_capabilities") == examples.path("helm_capabilities")
    (tmp_path / "helm_capabilities").write_text("not a scenario")
    assert str(examples.resolve("helm_capabilities")) == "helm_capabilities"
    with pytest.raises(InputError, match="shipped scenario"):
        examples.resolve("nothing_like_it")
    with pytest.raises(InputError, match="shipped scenario"):
        examples.path("nothing_like_it")


def test_run_by_name_from_another_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "helm_capabilities", "-n", "200", "--out", "out", "--no-progress"]) == 0
    assert len(pd.read_csv(tmp_path / "out" / "expected_scores.csv")) == 65 * 3
    assert main(["scenarios"]) == 0
    assert "helm_capabilities: 65 models x 5 benchmarks" in capsys.readouterr().out
