"""Who may import whom (README, "Architecture"): checked on the source, so a shortcut fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "rejectscan"
PURE = ("headers", "forwards", "timestamps", "match", "authenticity", "pairing", "classify", "advice", "history",
        "text", "markup", "chart", "report", "schedule")
LIBRARIES = {"click": "cli", "sqlite3": "store", "imapclient": "sources.imap", "mailparser": "parse",
             "dateparser": "timestamps", "tomllib": "compat", "tomli": "compat"}


def imports(module: str) -> set[str]:
    """Every module a source file imports, at any depth (lazy imports inside functions too)."""
    tree = ast.parse((SRC / (module.replace(".", "/") + ".py")).read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "rejectscan":  # "from rejectscan import store": a module, not __version__
                found |= {f"rejectscan.{a.name}" for a in node.names if (SRC / f"{a.name}.py").exists()}
    return found


def ours(names: set[str]) -> set[str]:
    return {n.removeprefix("rejectscan.") for n in names if n.startswith("rejectscan.")}


def modules() -> list[str]:
    return sorted(str(p.relative_to(SRC).with_suffix("")).replace("/", ".") for p in SRC.rglob("*.py")
                  if p.name != "__init__.py")


def test_the_command_line_imports_only_the_core_errors_and_render():
    assert ours(imports("cli")) <= {"app", "errors", "render"}


@pytest.mark.parametrize("module", PURE)
def test_pure_steps_do_no_io_and_know_nothing_above_them(module):
    forbidden = {"store", "app", "cli", "render", "pipeline", "fetching", "delivery", "sources.imap",
                 "sources.files", "sources.mbox", "environment", "notify"}
    assert not ours(imports(module)) & forbidden
    assert not imports(module) & {"os", "subprocess", "sqlite3", "socket"}


def test_nothing_imports_the_command_line_and_the_core_never_renders():
    for module in modules():
        if module not in ("cli", "__main__"):  # python -m rejectscan runs the command line
            assert "cli" not in ours(imports(module)), module
    assert "render" not in ours(imports("app"))


@pytest.mark.parametrize("library, owner", LIBRARIES.items())
def test_each_library_enters_through_one_module(library, owner):
    users = [m for m in modules() if any(n == library or n.startswith(library + ".") for n in imports(m))]
    assert users == [owner]
