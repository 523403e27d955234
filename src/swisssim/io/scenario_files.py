"""Write imported scores as a scenario file: ``NAME.toml`` plus its CSV files, atomically.

The files follow ``docs/scenario-format.md``: ``NAME_scores.csv`` (wide), ``NAME_score_errors.csv``
when standard errors are known, ``NAME_models.csv`` when model metadata is, and ``[item_counts]``
in the TOML where known. The TOML's description records the provenance (every source file with its
SHA-256, and the importer's choices), and a comment asks for the round order to be curated. The
staged scenario is loaded back with :func:`~swisssim.data.scenario.load_scenario` before anything
is moved into place, so a scenario that ``swisssim run`` would refuse is never written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from swisssim.data.importers.common import Imported
from swisssim.data.scenario import _NAME, MISSING_POLICIES, load_scenario
from swisssim.errors import InputError
from swisssim.io.staging import atomic_files
from swisssim.validation import choice


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def scenario_toml(imported: Imported, name: str, missing: str, files: dict[str, str]) -> str:
    """The text of the scenario TOML; ``files`` maps ``scores``, ``score_errors``,
    ``models_file`` to the CSV names written beside it."""
    lines = [f"# Written by 'swisssim import {imported.format}'. The round order below is a first",
             "# guess (the order of the source files): curate it, from foundational to advanced",
             "# abilities (docs/method.md), before drawing conclusions; the CSD ranking depends",
             "# on it (swisssim orders measures how much).",
             f"name = {toml_string(name)}",
             f"description = {toml_string(imported.description())}"]
    for key in ("scores", "score_errors", "models_file"):
        if key in files:
            lines.append(f"{key} = {toml_string(files[key])}")
    lines += ["", "[scoring]"]
    if imported.lower_is_better:
        lines.append("lower_is_better = [" + ", ".join(map(toml_string, imported.lower_is_better))
                     + "]")
    comment = ""
    if imported.missing():
        comment = f"  # suggested by the importer: {imported.suggested_missing()!r}"
    lines.append(f"missing = {toml_string(missing)}{comment}")
    if imported.item_counts:
        lines += ["", "[item_counts]"]
        lines += [f"{toml_string(b)} = {n}" for b, n in imported.item_counts.items()]
    for round_name, benchmarks in imported.rounds:
        lines += ["", "[[rounds]]", f"name = {toml_string(round_name)}",
                  "benchmarks = [" + ", ".join(map(toml_string, benchmarks)) + "]"]
    lines += ["", "[simulation]", "iterations = 100000", "seed = 0", "elimination = [0, 1, 2]"]
    return "\n".join(lines) + "\n"


def write_imported(imported: Imported, out: str | Path, name: str, *,
                   missing: str | None = None) -> Path:
    """Write ``out/NAME.toml`` and its CSV files; return the TOML's path.

    Parameters
    ----------
    imported
        What an importer returned.
    out
        The folder (created if needed). The files of an earlier import under the same name
        (:func:`imported_files`) are replaced; every other file is left alone, and a file of
        the same name that an import did not write is refused (see
        :func:`swisssim.io.staging.atomic_files`).
    name
        The scenario name (letters, digits, ``.``, ``_``, ``-``); also the file stem.
    missing
        The ``[scoring].missing`` policy; None takes :meth:`Imported.suggested_missing`.

    Raises
    ------
    InputError
        For a bad name or policy, or when the written scenario would not load (nothing is
        written then).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise InputError("--name", "", "a short name of letters, digits, '.', '_' or '-'", name)
    policy = imported.suggested_missing() if missing is None else choice(
        missing, MISSING_POLICIES, "--missing", "")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("--out", "", "a folder", found_text=f"an existing file {str(out)!r}")
    files = {"scores": f"{name}_scores.csv"}
    if imported.errors is not None:
        files["score_errors"] = f"{name}_score_errors.csv"
    if imported.models is not None:
        files["models_file"] = f"{name}_models.csv"
    with atomic_files(out, name, owned=imported_files(out, name)) as stage:
        stage.write_csv(files["scores"], _wide(imported.scores))
        if imported.errors is not None:
            stage.write_csv(files["score_errors"], _wide(imported.errors))
        if imported.models is not None:
            stage.write_csv(files["models_file"], imported.models.rename_axis("model")
                            .reset_index()[["model", "family", "display_name"]])
        stage.write_text(f"{name}.toml", scenario_toml(imported, name, policy, files))
        try:
            load_scenario(stage.root / f"{name}.toml")
        except InputError as error:  # name the file it would have been, not the staged one
            where = error.source.replace(str(stage.root), str(out))
            raise error.renamed(where, error.field) from None
    return out / f"{name}.toml"


#: The first line of every scenario file ``swisssim import`` writes (see :func:`scenario_toml`).
IMPORT_MARK = "# Written by 'swisssim import"


def imported_files(out: str | Path, name: str) -> list[str]:
    """The files an earlier ``swisssim import --name NAME`` wrote into ``out``: ``NAME.toml``
    (recognised by its first line) and the data files it names; none if there is no such TOML.

    A re-import replaces exactly these (and deletes those it no longer writes); every other
    file in the folder, other scenarios' included, is left alone.
    """
    import tomllib

    path = Path(out) / f"{name}.toml"
    try:
        text = path.read_text(encoding="utf-8")
        if not text.startswith(IMPORT_MARK):
            return []
        document = tomllib.loads(text)
    except (OSError, ValueError):
        return []
    owned = [path.name]
    for key in ("scores", "score_errors", "models_file"):
        value = document.get(key)
        if isinstance(value, str) and Path(value).name == value:
            owned.append(value)
    return owned


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    table = frame.copy()
    table.index = table.index.rename("model")
    return table.reset_index()
