"""The scenarios shipped inside the package, reachable by name.

The six scenarios of ``scenarios/`` (five public leaderboards and a synthetic one of the paper's
shape, ``scenarios/README.md``) are package data: they live in ``swisssim/scenarios/`` (the
repository's ``scenarios/`` is a link to that folder) and are installed with the wheel, with the
licence of their source data in ``swisssim/scenarios/LICENSES/``. So a user who installed the
package, not the clone, can run ``swisssim report helm_capabilities``.

A command-line SCENARIO argument is a file path first; only when no such file exists is it looked
up here by name (:func:`resolve`).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from swisssim.data.scenario import Scenario, load_scenario
from swisssim.data.tables import read_toml
from swisssim.errors import InputError


def folder() -> Path:
    """The folder of the shipped scenarios (``swisssim/scenarios/``)."""
    return Path(str(resources.files("swisssim").joinpath("scenarios")))


def names() -> list[str]:
    """Names of the shipped scenarios, sorted."""
    return sorted(p.stem for p in folder().glob("*.toml"))


def path(name: str) -> Path:
    """The TOML file of the shipped scenario ``name``.

    Raises
    ------
    InputError
        If no shipped scenario has that name.
    """
    if name not in names():
        raise InputError("swisssim.examples", "name",
                         f"a shipped scenario ({', '.join(names())})", name)
    return folder() / f"{name}.toml"


def load(name: str) -> Scenario:
    """The shipped scenario ``name``, loaded and validated."""
    return load_scenario(path(name))


@dataclass(frozen=True)
class Listing:
    """One shipped scenario: size, rounds and where its data comes from."""

    name: str
    models: int
    benchmarks: int
    rounds: int
    provenance: str
    path: Path


def listing() -> list[Listing]:
    """Every shipped scenario with its first description sentence as provenance."""
    out = []
    for name in names():
        scenario = load(name)
        assert scenario.path is not None   # loaded from its file
        document = read_toml(scenario.path)
        first = document.get("description", "").split(". ")[0].strip().rstrip(".") + "."
        out.append(Listing(name=name, models=scenario.n_models,
                           benchmarks=int(scenario.scores.shape[1]), rounds=scenario.n_rounds,
                           provenance=first, path=scenario.path))
    return out


def resolve(argument: str | Path) -> Path:
    """A SCENARIO argument as a file: the path itself when it exists, else the shipped scenario
    of that name; an existing path always wins over a name."""
    given = Path(argument)
    if given.exists() or given.suffix == ".toml" or len(given.parts) > 1:
        return given
    if str(argument) in names():
        return path(str(argument))
    raise InputError(str(argument), "", "an existing scenario file (TOML) or the name of a "
                     f"shipped scenario ({', '.join(names())})",
                     found_text="neither (see 'swisssim scenarios')")


__all__ = ["Listing", "folder", "listing", "load", "names", "path", "resolve"]
