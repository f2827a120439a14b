"""Shared fixtures: the CLI runner, a tiny curriculum on disk, and writers of bad modules."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"

GOOD_FRONT = """---
id: good-module
title: A good module
session: 1
duration: 30
objectives:
  - Learn a thing
---
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the small fixture curriculum, free to edit."""
    target = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", target)
    return target


@pytest.fixture
def write_module(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a module file from its text; returns its path."""

    def write(text: str, name: str = "module.md") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
