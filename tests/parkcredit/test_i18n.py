"""The English catalogue: complete, compiled, in step with the source, and actually used.

CI has no GNU gettext, so nothing here runs xgettext or msgfmt: the .po is read with a small
parser, the committed .mo with the standard library, and the source strings are found with `ast`
(Python) and regular expressions (templates). See docs/i18n.md for the maintenance steps.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from creditcore.ledger import RecordState, Status
from parkcredit.records.templatetags.records_tags import status_label, yuan
from tests import factories as f

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES"
PO_PATH = CATALOGUE / "django.po"
MO_PATH = CATALOGUE / "django.mo"
FIX_HINT = "update the catalogue as docs/i18n.md describes (makemessages, translate, compilemessages)"

CJK = re.compile(r"[\u4e00-\u9fff]")
# Placeholders a translation must keep: %(name)s, %s, %d, an escaped %% and {name}.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|%[sdif]|\{\w*\}")
# Chinese navigation and shell labels that must not survive a switch to English.
CHINESE_SHELL_LABELS = ("工作台", "企业档案", "后台任务", "审计日志", "退出登录", "修改密码", "界面语言")


@pytest.fixture(autouse=True)
def _passwords_not_due(settings: Any) -> None:
    # The cast has no password_changed_at; the forced-change middleware would hold every page.
    settings.PASSWORD_MAX_AGE_DAYS = 0


# --- a minimal .po reader -------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def po_entries(text: str) -> list[Entry]:
    """The entries of a .po file, header excluded; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        entry, target = Entry(), None
        live = False
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := KEYWORD.match(line):
                live = True
                name, index, literal = match.groups()
                target = (name, int(index) if index else 0)
                _append(entry, target, ast.literal_eval(literal))
            elif line.startswith('"') and target:
                _append(entry, target, ast.literal_eval(line))
        if live and entry.msgid:
            entries.append(entry)
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name.startswith("msgstr"):
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    elif name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif name == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    else:
        entry.msgid += text


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return po_entries(PO_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def msgids(entries: list[Entry]) -> set[tuple[str | None, str]]:
    keys = {entry.key for entry in entries}
    keys |= {(entry.msgctxt, entry.msgid_plural) for entry in entries if entry.msgid_plural}
    return keys


def test_po_parser_reads_context_plurals_continuations_and_skips_obsolete() -> None:
    text = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, python-format\nmsgctxt "button"\nmsgid "停用"\nmsgstr "Disable"\n\n'
        'msgid "共 %(n)s 家"\nmsgid_plural "共 %(n)s 家"\n'
        'msgstr[0] "%(n)s one"\nmsgstr[1] ""\n"%(n)s many"\n\n'
        '#~ msgid "旧"\n#~ msgstr "old"\n'
    )
    first, second = po_entries(text)
    assert (first.key, first.msgstr, first.flags) == (("button", "停用"), {0: "Disable"}, {"python-format"})
    assert second.msgid_plural == "共 %(n)s 家" and second.msgstr == {0: "%(n)s one", 1: "%(n)s many"}


# --- (a) the catalogue is complete, well-formed and compiled -------------------------------------


def test_header_declares_english_utf8_and_two_plural_forms() -> None:
    header = PO_PATH.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "#, fuzzy" not in header  # msgfmt drops a fuzzy header, and with it the charset
    for line in ("Language: en", "charset=UTF-8", "Plural-Forms: nplurals=2; plural=(n != 1);"):
        assert line in header


def test_every_entry_is_translated_and_none_is_fuzzy(entries: list[Entry]) -> None:
    assert len(entries) > 400  # the parser found the catalogue, not an empty file
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    untranslated = [
        entry.msgid
        for entry in entries
        if not entry.msgstr
        or not all(entry.msgstr.values())
        or len(entry.msgstr) != (2 if entry.msgid_plural else 1)
    ]
    assert not fuzzy, f"fuzzy entries left: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_translations_are_english_and_keep_every_placeholder(entries: list[Entry]) -> None:
    problems = []
    for entry in entries:
        sources = [entry.msgid, entry.msgid_plural or entry.msgid]
        for index, text in sorted(entry.msgstr.items()):
            source = sources[min(index, 1)]
            if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(text)):
                problems.append(f"placeholders differ: {source!r} -> {text!r}")
            if CJK.search(text):
                problems.append(f"Chinese left in the translation of {source!r}: {text!r}")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po(entries: list[Entry]) -> None:
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info().get("language") == "en"
    stale = []
    for entry in entries:
        got, want = compiled_forms(compiled, entry), [entry.msgstr[i] for i in sorted(entry.msgstr)]
        if got != want:
            stale.append(f"{entry.msgid!r}: .mo has {got!r}, .po has {want!r}")
    assert not stale, f"django.mo is out of date, {FIX_HINT}:\n" + "\n".join(stale)


def compiled_forms(compiled: gettext.GNUTranslations, entry: Entry) -> list[str]:
    """What the .mo answers for an entry: one string, or the forms for n = 1 and n = 2."""
    context = entry.msgctxt
    if entry.msgid_plural is None:
        return [compiled.pgettext(context, entry.msgid) if context else compiled.gettext(entry.msgid)]
    plural = entry.msgid_plural
    if context:
        return [compiled.npgettext(context, entry.msgid, plural, n) for n in (1, 2)]
    return [compiled.ngettext(entry.msgid, plural, n) for n in (1, 2)]


def test_compiled_catalogue_has_nothing_the_po_lacks(entries: list[Entry]) -> None:
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    # The .mo keys are "context\x04msgid" (context) and (msgid, n) (plural); "" is the header.
    catalog: dict[Any, str] = compiled._catalog  # type: ignore[attr-defined]
    in_mo = {key[0] if isinstance(key, tuple) else key for key in catalog} - {""}
    in_po = {f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid for e in entries}
    assert in_mo == in_po, f"django.mo and django.po differ, {FIX_HINT}"


# --- (b) every translatable literal in the source is in the catalogue ------------------------------

TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<text>.*?)(?P=q)"""
    r"""(?:\s+context\s+(?P<cq>["'])(?P<context>.*?)(?P=cq))?[^%]*%\}""",
    re.S,
)
UNDERSCORE_CONSTANT = re.compile(r"""\b_\((?P<q>["'])(?P<text>.*?)(?P=q)\)""")
BLOCK = re.compile(
    r"\{%\s*blocktrans(?:late)?(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.S
)
BLOCK_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
GETTEXT_FUNCTIONS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
CONTEXT_FUNCTIONS = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def template_files() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html"))


def python_files() -> list[Path]:
    found = [*(ROOT / "parkcredit").rglob("*.py"), *(ROOT / "config").rglob("*.py")]
    return sorted(path for path in found if "migrations" not in path.parts)


def block_msgids(args: str, body: str) -> list[str] | None:
    """The msgids makemessages extracts from one blocktranslate body, or None when the body holds
    anything this reader does not model (a tag other than {% plural %}, a dotted variable)."""
    parts = re.split(r"\{%\s*plural\s*%\}", body)
    if any("{%" in part for part in parts) or any(re.search(r"\{\{[^}]*[.|]", p) for p in parts):
        return None
    texts = []
    for part in parts:
        text = BLOCK_VARIABLE.sub(lambda m: f"%({m.group(1)})s", part.replace("%", "%%"))
        if re.search(r"\btrimmed\b", args):
            text = " ".join(line.strip() for line in text.strip().splitlines() if line.strip())
        texts.append(text)
    return texts


def template_msgids() -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for path in template_files():
        source = path.read_text(encoding="utf-8")
        for match in TRANSLATE_TAG.finditer(source):
            # makemessages doubles % in a translate literal; the tag undoes it when rendering.
            found.add((match["context"], match["text"].replace("%", "%%")))
        for match in UNDERSCORE_CONSTANT.finditer(source):
            found.add((None, match["text"]))
        for match in BLOCK.finditer(source):
            context = re.search(r"""\bcontext\s+(["'])(.*?)\1""", match["args"])
            for text in block_msgids(match["args"], match["body"]) or []:
                found.add((context[2] if context else None, text))
    return found


def python_calls() -> tuple[set[tuple[str | None, str]], list[str]]:
    """Literal msgids passed to the gettext family, and calls whose message is built at run time
    from a literal (an f-string, a concatenation, a % applied inside the call) - xgettext cannot
    extract those."""
    literals: set[tuple[str | None, str]] = set()
    broken: list[str] = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                continue
            name = node.func.id
            if name in GETTEXT_FUNCTIONS:
                context, messages = None, node.args[:2] if "ngettext" in name else node.args[:1]
            elif name in CONTEXT_FUNCTIONS and len(node.args) >= 2:
                first = node.args[0]
                context = (
                    first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
                )
                messages = node.args[1:3] if name.startswith("n") else node.args[1:2]
            else:
                continue
            for message in messages:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if isinstance(message, ast.Constant) and isinstance(message.value, str):
                    literals.add((context, message.value))
                elif isinstance(message, ast.JoinedStr | ast.BinOp):
                    broken.append(where)
    return literals, broken


def test_template_reader_models_translate_and_blocktranslate() -> None:
    assert block_msgids(" with n=x ", "共 {{ n }} 条,100%") == ["共 %(n)s 条,100%%"]
    assert block_msgids(" trimmed count n=x ", "\n  {{ n }} 家\n{% plural %}{{ n }} 家 ") == [
        "%(n)s 家",
        "%(n)s 家",
    ]
    assert block_msgids("", "{{ a.b }}") is None
    match = TRANSLATE_TAG.search("""{% translate '停用' context "button" as x %}""")
    assert match and (match["context"], match["text"]) == ("button", "停用")


def test_template_literals_are_all_in_the_catalogue(msgids: set[tuple[str | None, str]]) -> None:
    found = template_msgids()
    assert len(found) > 200  # the regexes matched the templates at all
    missing = sorted(f"{context or ''}|{text}" for context, text in found - msgids)
    assert not missing, f"template strings missing from django.po, {FIX_HINT}: {missing}"


def test_python_literals_are_all_in_the_catalogue(msgids: set[tuple[str | None, str]]) -> None:
    literals, _broken = python_calls()
    assert len(literals) > 200
    missing = sorted(f"{context or ''}|{text}" for context, text in literals - msgids)
    assert not missing, f"Python strings missing from django.po, {FIX_HINT}: {missing}"


def test_no_translatable_string_is_built_at_run_time() -> None:
    _literals, broken = python_calls()
    assert not broken, f"gettext called on an f-string or concatenation (not extractable): {broken}"


# --- (c) English pages, (d) Chinese by default ----------------------------------------------------


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_english(html: str, *words: str) -> None:
    assert '<html lang="en">' in html
    for word in words:
        assert word in html, word
    leftovers = [label for label in CHINESE_SHELL_LABELS if label in html]
    assert not leftovers, f"Chinese labels on an English page: {leftovers}"


def test_english_dashboard_for_the_park_admin(login: Any, ent_a: Any) -> None:
    f.make_record(ent_a)
    html = page(english(login("park_admin")), reverse("dashboard:home"))
    assert_english(html, "Dashboard", "Enterprise archives", "Background jobs", "Sign out")
    assert "Park administrator" in html
    assert "Latest credit records" in html and "Negative records, last 12 months" in html
    assert "最新信用记录" not in html


def test_english_enterprise_list(login: Any, ent_a: Any, ent_b: Any) -> None:
    html = page(english(login("park_admin")), reverse("enterprises:list"))
    assert_english(html, "One archive per enterprise", "Search", "Industry cluster", "Business status")
    assert "2 enterprises" in html
    assert "企业名称或统一社会信用代码" not in html and "筛选" not in html


def test_english_enterprise_detail_and_record(login: Any, ent_a: Any) -> None:
    record = f.make_record(ent_a)
    client = english(login("park_admin"))
    html = page(client, reverse("enterprises:detail", args=[ent_a.pk]))
    assert_english(html, "Basic information", "Unified social credit code (USCC)", "Credit record timeline")
    html = page(client, reverse("records:detail", args=[record.pk]))
    assert_english(html, "Record details", "CNY 20,000.00", "Status history")
    assert "元" not in html


def test_english_login_page(client: Client) -> None:
    html = page(english(client), reverse("accounts:login"))
    assert_english(html, "Sign in", "Username", "Password", "Park Credit Platform")
    assert "登录" not in html and "用户名" not in html


def test_english_job_pages(login: Any) -> None:
    client = english(login("park_admin"))
    html = page(client, reverse("jobs:list"))
    assert_english(html, "Background jobs", "Run background job self-test", "No background jobs yet")
    response = client.post(reverse("jobs:selfcheck"), follow=True)
    html = response.content.decode()
    assert_english(html, "Background job self-test", "Completed", "Submitted by")


def test_english_audit_pages(login: Any) -> None:
    client = english(login("auditor"))
    html = page(client, reverse("audit:list"))
    assert_english(html, "Audit log", "Verify audit chain", "Security auditor", "Filter")
    html = client.post(reverse("audit:verify"), follow=True).content.decode()
    assert_english(html, "Audit chain intact", "Entries verified")


def test_english_form_errors_name_field_and_value(login: Any) -> None:
    client = english(login("park_admin"))
    response = client.post(reverse("enterprises:create"), {"uscc": "", "name": ""})
    html = response.content.decode()
    assert_english(html, "Please correct the errors marked below, then save.", "Enterprise name")
    assert "必须填写" not in html


def test_english_buttons_take_their_context(login: Any, system_admin: Any, park_admin: Any) -> None:
    html = page(english(login("system_admin")), reverse("accounts:users"))
    # "启用/停用" is a state in one column and an action on a button; context keeps them apart.
    assert ">Enabled</span>" in html and ">Disable</button>" in html


def test_record_filters_translate_amount_and_objection() -> None:
    state = RecordState(status=Status.ACTIVE, disputed=True)
    with translation.override("en"):
        assert yuan("1234.5") == "CNY 1,234.50"
        assert status_label(state).endswith(" (under objection)")
    with translation.override("zh-hans"):
        assert yuan("1234.5") == "1,234.50 元"
        assert status_label(state).endswith("(异议中)")


def test_chinese_is_the_default(login: Any) -> None:
    client = login("park_admin")
    html = page(client, reverse("dashboard:home"), accept_language="zh-CN,zh;q=0.9")
    assert '<html lang="zh-hans">' in html
    for label in ("工作台", "企业档案", "退出登录"):
        assert label in html
    assert "Dashboard" not in html and "Sign out" not in html
    html = page(client, reverse("dashboard:home"))  # no header, no cookie: LANGUAGE_CODE
    assert '<html lang="zh-hans">' in html and "工作台" in html


def test_chinese_login_page_without_preferences(client: Client) -> None:
    html = page(client, reverse("accounts:login"))
    assert "登录" in html and "Sign in" not in html


def test_the_language_switch_turns_pages_english(login: Any) -> None:
    client = login("park_admin")
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("jobs:list")})
    assert response.status_code == 302
    assert_english(page(client, reverse("jobs:list")), "Background jobs")
