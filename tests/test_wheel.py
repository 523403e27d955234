"""The built wheel stands on its own: installed into a fresh virtual environment outside the
repository, it runs a shipped scenario by name from another folder, lists the shipped scenarios,
loads them in Python, and carries the LICENSE, the SPDX licence field and the data licences.

The wheel is built offline from a copy of the sources (``pip wheel --no-build-isolation``, which
needs setuptools >= 77 in the test environment: the ``test`` extra). The fresh environment reuses
the test environment's third-party packages through a ``.pth`` file, so nothing is downloaded; a
``swisssim`` installed in the test environment (editable or not) is not seen there, because a path
in a ``.pth`` file adds that folder to ``sys.path`` without running its ``.pth`` files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO

setuptools = pytest.importorskip("setuptools")
if int(setuptools.__version__.split(".")[0]) < 77:
    pytest.skip("building the wheel offline needs setuptools >= 77 (the test extra)",
                allow_module_level=True)

#: Builds a wheel and installs it into a fresh virtual environment.
pytestmark = [pytest.mark.external, pytest.mark.slow]


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONNOUSERSITE"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.nbi", "*.nbc")
    shutil.copytree(REPO / "src", source / "src", ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    wheels = root / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(wheels), str(source)], check=True,
                   env=clean_env(), capture_output=True, timeout=300)
    wheel = next(wheels.glob("swisssim-*.whl"))
    env_dir = root / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], check=True, capture_output=True, text=True,
                             env=clean_env()).stdout.strip()
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "_test_dependencies.pth").write_text("\n".join(sorted(shared)) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True, env=clean_env(),
                   capture_output=True, timeout=300)
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    return {"wheel": wheel, "bin": env_dir / "bin", "python": python, "cwd": elsewhere,
            "purelib": Path(purelib)}


def run(installed, *args: str, timeout: int = 600,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=installed["cwd"], env={**clean_env(), **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


#: The installed copy has its own (empty) numba cache, so compiling its kernels would cost
#: about 15 s; what this file tests is the package, so its kernels run as plain Python (as in
#: the kernel coverage run of ``.ci/run``; their unsigned 64-bit wrap-around then warns).
PLAIN_KERNELS = {"NUMBA_DISABLE_JIT": "1", "PYTHONWARNINGS": "ignore::RuntimeWarning"}


def test_the_wheel_carries_licences_and_scenarios(installed):
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    assert "License-Expression: MIT" in metadata.decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    shipped = {Path(n).stem for n in names if n.startswith("swisssim/scenarios/")
               and n.endswith(".toml")}
    assert shipped == {p.stem for p in (REPO / "scenarios").glob("*.toml")}
    assert "swisssim/scenarios/LICENSES/benchbench-1.0.1-LICENSE.txt" in names
    assert "swisssim/scenarios/README.md" in names


def test_a_named_scenario_runs_from_another_folder(installed):
    location = run(installed, str(installed["python"]), "-c",
                   "import swisssim; print(swisssim.__file__)")
    assert location.returncode == 0, location.stderr
    assert Path(location.stdout.strip()).is_relative_to(installed["purelib"])
    assert not (installed["cwd"] / "helm_capabilities").exists()
    done = run(installed, str(installed["bin"] / "swisssim"), "sweep", "helm_capabilities",
               "--out", "sweep", "-n", "200", "--no-progress", env=PLAIN_KERNELS)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(installed["cwd"] / "sweep" / "sweep.csv")
    assert table["model"].nunique() == 65
    assert (installed["cwd"] / "sweep" / "figures" / "sensitivity.png").stat().st_size > 10_000
    # the report's one data file, read as the report reads it, from the installed package
    script = run(installed, str(installed["python"]), "-c",
                 "import swisssim.report.explore as e; print(len(e.script()))")
    assert script.returncode == 0, script.stderr
    assert int(script.stdout) > 1_000


def test_scenarios_are_listed_and_loaded_by_name(installed):
    listed = run(installed, str(installed["bin"] / "swisssim"), "scenarios")
    assert listed.returncode == 0, listed.stderr
    for path in (REPO / "scenarios").glob("*.toml"):
        assert f"{path.stem}: " in listed.stdout
    assert "benchbench" in listed.stdout and "LICENSES" in listed.stdout
    loaded = run(installed, str(installed["python"]), "-c",
                 "from swisssim import examples; s = examples.load('bbh'); "
                 "print(s.n_models, s.n_rounds, examples.names())")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("107 6 ['bbh', 'helm_capabilities'")
    unknown = run(installed, str(installed["bin"] / "swisssim"), "run", "no_such_scenario")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert "shipped scenario" in unknown.stderr and "helm_capabilities" in unknown.stderr
