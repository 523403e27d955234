"""``swisssim scenarios``: list the scenarios shipped with the package and their provenance."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "scenarios", help="list the shipped scenarios (usable by name) and their provenance",
        description="List the scenarios shipped inside the package. Any command that takes a "
                    "SCENARIO file also takes one of these names when no such file exists.")
    parser.add_argument("--paths", action="store_true", help="also print each TOML file's path")
    return parser


def execute(args: argparse.Namespace) -> int:
    from swisssim.data import examples

    for item in examples.listing():
        print(f"{item.name}: {item.models} models x {item.benchmarks} benchmarks in "
              f"{item.rounds} rounds")
        print(f"    {item.provenance}")
        if args.paths:
            print(f"    {item.path}")
    print(f"\nData licences: {examples.folder() / 'LICENSES'}; provenance and credits: "
          f"{examples.folder() / 'README.md'}")
    return 0
