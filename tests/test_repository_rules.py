"""Rules about the repository itself, checked on every test run.

Each rule is a small scanner plus a test that runs it over the tree; the scanners are tested on
bad samples too, so a rule that silently stopped finding anything would fail here.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {
    ".venv",
    ".git",
    "var",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
}

ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list"}

# Names are assembled from pieces so that this file does not itself name the hosts it forbids.
FORBIDDEN_HOSTS = [
    "pypi" + ".org",
    "files." + "pythonhosted",
    "registry." + "npmjs",
    "registry." + "yarnpkg",
    "index" + "-url",
    "pypi" + ".tuna",
    "mirrors." + "aliyun",
    "npm" + "mirror.com",
    "unpkg" + ".com",
    "cdn." + "jsdelivr",
    "cdn" + "js.cloudflare",
]

# Module names that repeat a standard-library name but are never importable under that bare
# name, so they cannot shadow it:
# - selectors: the house architecture gives every app a `selectors.py`, always imported as
#   `parkcredit.<app>.selectors`;
# - files under management/commands/ are named after the CLI verb and loaded by full path.
STDLIB_NAME_ALLOWED = {"selectors"}


# --- walking the tree -------------------------------------------------------------------------


def repository_files() -> list[Path]:
    """Files that are or would be committed: tracked plus untracked-but-not-ignored."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*") if p.is_file() and not SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    names = [n for n in listing.decode("utf-8").split("\0") if n]
    return [ROOT / n for n in names if (ROOT / n).is_file()]


def python_files() -> Iterator[Path]:
    for path in ROOT.rglob("*.py"):
        if not SKIP_DIRS & set(path.relative_to(ROOT).parts):
            yield path


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


# --- (a) environment variables ------------------------------------------------------------------


def _is_os_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _name_argument(node: ast.Call) -> ast.expr | None:
    func = node.func
    if not node.args:
        return None
    if isinstance(func, ast.Name):
        return node.args[0] if func.id in ENV_HELPERS else None
    if not isinstance(func, ast.Attribute):
        return None
    is_helper = func.attr in ENV_HELPERS
    # setdefault counts: a value already in the environment wins, so it is a knob too.
    is_environ_read = func.attr in {"get", "setdefault"} and _is_os_environ(func.value)
    is_getenv = func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os"
    return node.args[0] if is_helper or is_environ_read or is_getenv else None


def env_reads(tree: ast.AST) -> set[str]:
    """Literal names read through the env helpers, os.environ.get/setdefault/[...] or os.getenv."""
    names: set[str] = set()
    for node in ast.walk(tree):
        name_arg: ast.expr | None = None
        if isinstance(node, ast.Call):
            name_arg = _name_argument(node)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            name_arg = node.slice if _is_os_environ(node.value) else None
        if isinstance(name_arg, ast.Constant) and isinstance(name_arg.value, str):
            names.add(name_arg.value)
    return names


# `NAME=value`, or `# NAME=value` for a variable that must stay unset unless needed.
ENV_LINE = re.compile(r"^(?:#\s?)?([A-Z][A-Z0-9_]*)=")
CJK = re.compile(r"[\u4e00-\u9fff]")


def env_example_entries(text: str) -> dict[str, list[str]]:
    """Variable name -> the comment lines directly above its line."""
    entries: dict[str, list[str]] = {}
    comments: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        match = ENV_LINE.match(stripped)
        if match:
            entries[match.group(1)] = comments
        elif stripped.startswith("#"):
            comments.append(stripped)
            continue
        comments = []
    return entries


def test_env_reads_finds_every_form_of_read() -> None:
    sample = """
import os
from parkcredit.common.env import env_int
a = env_int("A_INT", 1)
b = os.environ.get("B_GET")
c = os.getenv("C_GETENV", "x")
d = os.environ["D_SUBSCRIPT"]
os.environ["NOT_A_READ"] = "1"
os.environ.setdefault("F_SETDEFAULT", "1")
e = env.env_str("E_ATTR", "")
f = os.environ.get(dynamic_name)
"""
    assert env_reads(ast.parse(sample)) == {
        "A_INT",
        "B_GET",
        "C_GETENV",
        "D_SUBSCRIPT",
        "E_ATTR",
        "F_SETDEFAULT",
    }


def test_env_example_entries_keeps_the_comment_above_each_variable() -> None:
    sample = "# 头注释\n\n# 端口。默认:8000\nPORT=8000\nNO_COMMENT=\n# 可选\n# OPTIONAL=x\n# trailing\n"
    assert env_example_entries(sample) == {
        "PORT": ["# 端口。默认:8000"],
        "NO_COMMENT": [],
        "OPTIONAL": ["# 可选"],
    }


def test_env_example_lists_exactly_the_variables_the_code_reads() -> None:
    read: dict[str, set[str]] = {}
    for path in python_files():
        for name in env_reads(parse(path)):
            read.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    listed = set(env_example_entries((ROOT / ".env.example").read_text(encoding="utf-8")))
    missing = {name: sorted(where) for name, where in read.items() if name not in listed}
    assert missing == {}, "代码读取了 .env.example 未列出的环境变量"
    assert listed - set(read) == set(), ".env.example 列出了代码并不读取的环境变量"


def test_every_env_example_variable_has_a_chinese_comment_with_its_default() -> None:
    entries = env_example_entries((ROOT / ".env.example").read_text(encoding="utf-8"))
    assert entries
    undocumented = [
        name
        for name, comments in entries.items()
        if not any(CJK.search(c) for c in comments) or not any("默认" in c for c in comments)
    ]
    assert undocumented == []


# --- (b) the pure core stays pure ---------------------------------------------------------------

FRAMEWORK_PACKAGES = {"django", "parkcredit", "config", "ninja", "django_tasks_db"}


def framework_imports(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in FRAMEWORK_PACKAGES]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module.split(".")[0] in FRAMEWORK_PACKAGES
        ):
            found.append(node.module)
    return found


def test_framework_imports_sees_every_import_form() -> None:
    sample = (
        "import django\nfrom django.db import models\nimport parkcredit.records.models as m\n"
        "from . import ledger\nimport numpy\n"
        "def lazy():\n    from config import settings\n"
    )
    assert framework_imports(ast.parse(sample)) == [
        "django",
        "django.db",
        "parkcredit.records.models",
        "config",
    ]


def test_creditcore_imports_neither_django_nor_parkcredit() -> None:
    offenders = {
        str(path.relative_to(ROOT)): imports
        for path in (ROOT / "creditcore").rglob("*.py")
        if (imports := framework_imports(parse(path)))
    }
    assert offenders == {}


# --- (c) no package registry host in the repository ------------------------------------------------


def registry_hosts_in(text: str) -> list[str]:
    lowered = text.lower()
    return [host for host in FORBIDDEN_HOSTS if host in lowered]


def test_registry_hosts_in_finds_a_host() -> None:
    assert registry_hosts_in("pip install --extra-" + "INDEX" + "-URL https://x") == ["index" + "-url"]
    assert registry_hosts_in("see https://" + "files." + "pythonhosted" + ".org/x") == [
        "files." + "pythonhosted"
    ]
    assert registry_hosts_in("pip install --require-hashes -r requirements.lock") == []


def test_no_repository_file_names_a_package_registry_or_cdn_host() -> None:
    offenders: dict[str, list[str]] = {}
    for path in repository_files():
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        hosts = registry_hosts_in(data.decode("utf-8", errors="replace"))
        if hosts:
            offenders[str(path.relative_to(ROOT))] = hosts
    assert offenders == {}


def test_no_uv_lock() -> None:
    # uv.lock records a download address for every artefact; requirements*.lock carry hashes only.
    assert not (ROOT / "uv.lock").exists()


# --- (d) every dependency says why it is there --------------------------------------------------


def uncommented_dependencies(pyproject_text: str, array_names: set[str]) -> tuple[list[str], int]:
    """Dependencies in the named TOML arrays whose previous non-blank line is not a comment.

    Returns the offenders and how many dependency lines were seen, so the caller can check the
    scan did not miss a differently formatted array.
    """
    offenders: list[str] = []
    seen = 0
    inside = False
    previous = ""
    for raw in pyproject_text.splitlines():
        line = raw.strip()
        if not inside:
            head = re.match(r"^([A-Za-z0-9_-]+)\s*=\s*\[\s*$", line)
            inside = bool(head and head.group(1) in array_names)
        elif line.startswith("]"):
            inside = False
        elif line.startswith('"'):
            seen += 1
            if not previous.startswith("#"):
                offenders.append(line.rstrip(","))
        if line:
            previous = line
    return offenders, seen


def test_uncommented_dependencies_spots_a_bare_line() -> None:
    sample = 'dependencies = [\n    # why\n    "a==1",\n    "b==2",\n]\nother = [\n    "c",\n]\n'
    assert uncommented_dependencies(sample, {"dependencies"}) == (['"b==2"'], 2)


def test_every_dependency_in_pyproject_has_a_reason() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(text)["project"]
    expected = len(project["dependencies"]) + len(project["optional-dependencies"]["dev"])
    offenders, seen = uncommented_dependencies(text, {"dependencies", "dev"})
    assert seen == expected, "pyproject.toml 的依赖数组格式与扫描不符:每个依赖应独占一行"
    assert offenders == []


# --- (e) no module shadows the standard library -------------------------------------------------


def module_names(paths: list[Path]) -> dict[str, str]:
    """Importable module and package names in the project -> one place each is defined."""
    names: dict[str, str] = {}
    for path in paths:
        rel = path.relative_to(ROOT)
        if path.suffix != ".py" or SKIP_DIRS & set(rel.parts):
            continue
        if rel.parts[-3:-1] == ("management", "commands"):
            continue
        stem = path.stem
        if stem != "__init__":
            names.setdefault(stem, str(rel))
        for package in rel.parts[:-1]:
            names.setdefault(package, str(rel.parent))
    return names


def stdlib_shadows(names: dict[str, str]) -> dict[str, str]:
    return {
        name: where
        for name, where in names.items()
        if name in sys.stdlib_module_names and name not in STDLIB_NAME_ALLOWED
    }


def test_stdlib_shadows_catches_a_module_and_a_package() -> None:
    paths = [
        ROOT / "parkcredit/alerts/warnings.py",
        ROOT / "parkcredit/logging/__init__.py",
        ROOT / "parkcredit/records/selectors.py",
        ROOT / "parkcredit/accounts/management/commands/token.py",
    ]
    assert stdlib_shadows(module_names(paths)) == {
        "warnings": "parkcredit/alerts/warnings.py",
        "logging": "parkcredit/logging",
    }


def test_no_module_shadows_a_standard_library_module() -> None:
    assert stdlib_shadows(module_names(list(python_files()))) == {}


# --- (f) the lock files pin every artefact by hash ------------------------------------------------


def unhashed_requirements(lock_text: str) -> list[str]:
    """Requirement entries (continuation lines joined) that carry no --hash."""
    logical: list[str] = []
    current = ""
    for raw in lock_text.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        current += " " + line.rstrip("\\").strip()
        if not line.endswith("\\"):
            logical.append(current.strip())
            current = ""
    if current:
        logical.append(current.strip())
    return [entry for entry in logical if "--hash=sha256:" not in entry]


def test_unhashed_requirements_spots_a_bare_pin() -> None:
    sample = "# header\na==1.0 \\\n    --hash=sha256:00ff\n    # via b\nb==2.0\n"
    assert unhashed_requirements(sample) == ["b==2.0"]


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_requirement_is_hash_pinned(lock: str) -> None:
    text = (ROOT / lock).read_text(encoding="utf-8")
    assert "==" in text
    assert unhashed_requirements(text) == []


# --- documentation stays true -------------------------------------------------------------------

MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def broken_links(markdown: Path) -> list[str]:
    """Relative links in a Markdown file whose target does not exist."""
    targets = MARKDOWN_LINK.findall(markdown.read_text(encoding="utf-8"))
    return [t for t in targets if "://" not in t and not (markdown.parent / t).exists()]


def test_broken_links_spots_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "here.md").write_text("x", encoding="utf-8")
    page = tmp_path / "index.md"
    page.write_text("[a](here.md) [b](gone.md#part) [c](https://example.cn/x) [d](#top)", encoding="utf-8")
    assert broken_links(page) == ["gone.md"]


def test_readme_and_docs_link_only_to_files_that_exist() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert {str(p.relative_to(ROOT)): broken_links(p) for p in pages if broken_links(p)} == {}


def test_readme_lists_every_demo_account_and_the_password() -> None:
    from parkcredit.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [account[0] for account in DEMO_ACCOUNTS if f"`{account[0]}`" not in readme]
    assert missing == []
    assert DEMO_PASSWORD in readme
