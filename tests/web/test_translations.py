"""The catalogues cover the code: every message extracted from the source today has an English translation,
the English has no Chinese left in it and keeps every placeholder, and English pages show English chrome.

Message ids are the Chinese texts. A string added without a translation fails `test_every_message_is_translated`
with the list of missing ids and the commands that fix it (see README.md, "Translations")."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("en", "zh")
# The same keywords as the README's extract command (the defaults cover _, gettext, ngettext, pgettext, ...).
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2")
FIX = ("  .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 "
       "-o translations/messages.pot .\n"
       "  .venv/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching "
       "--ignore-obsolete\n"
       "then write the msgstr of each new id in translations/en/LC_MESSAGES/messages.po (and msgstr = msgid in "
       "translations/zh/LC_MESSAGES/messages.po), and compile: .venv/bin/pybabel compile -d translations -f")

# A printf placeholder as Python's % operator reads it: %(name)s, %(n)d, %s, and the escaped %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs%]")
# Han ideographs, CJK punctuation (、。「」) and full-width forms (（），：；).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _catalogue(language: str):
    return _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")


def _messages(catalog) -> dict:
    """msgid → message; plural messages are keyed by their singular id."""
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalog if m.id}


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def _ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages in the source today, extracted with the project's babel.cfg into a scratch template."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    args = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot)]
    for keyword in KEYWORDS:
        args += ["-k", keyword]
    CommandLineInterface().run(args + [str(ROOT)])
    messages = _messages(_read(pot))
    assert len(messages) > 300, "the extractor found far fewer messages than the code has; check babel.cfg"
    return messages


@pytest.fixture(scope="module")
def english():
    return _messages(_catalogue("en"))


def test_the_extract_sees_python_templates_and_placeholders(extracted):
    folders = {part for m in extracted.values() for path, _ in m.locations for part in Path(path).parts}
    assert {"housing_security", "templates"} <= folders
    assert "请写明不予通过的理由（至少 %(n)s 个字）。" in extracted  # lazy_gettext with a placeholder
    assert "批次后分配率（目标 ≥ %(target)s%%，规划 §4(1)）" in extracted  # template with a placeholder and %%
    assert "剩余工作日" in extracted  # the inbox CSV header, marked with lazy_gettext where it is defined
    assert "python-format" in extracted["申请 %(reference)s 的状态变为：%(status)s"].flags


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(extracted, language):
    catalogue = _messages(_catalogue(language))
    missing = sorted(msgid for msgid in extracted
                     if msgid not in catalogue or not all(_strings(catalogue[msgid]))
                     or "fuzzy" in catalogue[msgid].flags)
    assert not missing, (
        f"{len(missing)} message(s) have no reviewed {language} translation in "
        f"translations/{language}/LC_MESSAGES/messages.po:\n"
        + "\n".join(f"  {msgid!r}" for msgid in missing) + "\nTo fix, run\n" + FIX)


def test_zh_catalogue_starts_as_the_reviewed_chinese_text():
    """Identity catalogue: the city may reword a msgstr, but a Chinese msgstr must stay Chinese."""
    for msgid, message in _messages(_catalogue("zh")).items():
        for text in _strings(message):
            assert CJK.search(text), f"zh msgstr of {msgid!r} has no Chinese: {text!r}"
            assert _placeholders(text) == _placeholders(msgid), f"zh placeholders differ for {msgid!r}"


def test_english_has_no_chinese_left(english):
    leftovers = {msgid: text for msgid, m in english.items() for text in _strings(m) if CJK.search(text)}
    assert not leftovers, "English msgstr with Chinese characters:\n" + "\n".join(
        f"  {k!r} → {v!r}" for k, v in leftovers.items())


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match(language):
    wrong = []
    for message in _messages(_catalogue(language)).values():
        ids = _ids(message)
        for i, text in enumerate(_strings(message)):
            if not text:
                continue
            source = ids[min(i, len(ids) - 1)]
            if _placeholders(text) != _placeholders(source):
                wrong.append(f"  {source!r}: {_placeholders(source)} ≠ {text!r}: {_placeholders(text)}")
    assert not wrong, f"placeholders differ in translations/{language}:\n" + "\n".join(wrong)


def test_placeholder_pattern():
    assert _placeholders("剩 %(n)s 天，%(m)d 件，100%%") == ["%%", "%(m)d", "%(n)s"]
    assert not _placeholders("面积（m²）")


def test_page_title_translation():
    assert _messages(_catalogue("en"))["住房保障服务"].string == "Housing Security Services"


# --- English pages --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compiled_translations(tmp_path_factory):
    """The committed .po files compiled afresh, so these tests never read a stale .mo."""
    folder = tmp_path_factory.mktemp("translations")
    for language in LANGUAGES:
        target = folder / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as f:
            write_mo(f, _catalogue(language), use_fuzzy=False)
    return folder


@pytest.fixture
def app(make_app, compiled_translations):
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations))


class VisibleText(HTMLParser):
    """Text a reader sees or hears: text nodes outside script/style plus aria-label, alt, title and placeholder;
    the <html lang> and the <title>. Elements marked lang="zh-CN" (the 中文 switch) are Chinese on purpose."""

    SKIP = {"script", "style"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []
        self.html_lang = None
        self.title = ""

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        skip = tag in self.SKIP or (tag != "html" and (attrs.get("lang") or "").startswith("zh"))
        if not skip and not self._skipping():
            self.chunks += [attrs[a] for a in ("aria-label", "alt", "title", "placeholder") if attrs.get(a)]
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "title":
            self.title += data
        if not self._skipping() and data.strip():
            self.chunks.append(data.strip())


def visible(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def switch_to_english(client):
    response = client.post("/language", data={"language": "en"})
    assert response.status_code == 302


def english_page(client, path: str) -> VisibleText:
    response = client.get(path)
    assert response.status_code == 200, path
    page = visible(response.get_data(as_text=True))
    assert page.html_lang == "en", path
    assert page.title.strip().endswith(" · Housing Security Services") or page.title.strip() == (
        "Housing Security Services"), page.title
    return page


def chinese_chrome(page: VisibleText, data: set[str] = frozenset()) -> list[str]:
    """Visible chunks with Chinese in them, after removing the data the page is allowed to show in Chinese."""
    leftovers = []
    for chunk in page.chunks:
        for value in sorted(data, key=len, reverse=True):
            chunk = chunk.replace(value, "")
        if CJK.search(chunk):
            leftovers.append(chunk)
    return leftovers


def _text(page: VisibleText) -> str:
    return " ".join(page.chunks)


def test_landing_page_in_english(client):
    switch_to_english(client)
    page = english_page(client, "/")
    text = _text(page)
    for expected in ("Sign in", "Register and apply", "Public rental housing", "Subsidized rental housing",
                     "Talent housing", "Publicity", "Skip to main content"):
        assert expected in text
    assert "中文" in client.get("/").get_data(as_text=True)  # the way back
    assert chinese_chrome(page) == []


def test_login_page_in_english(client):
    switch_to_english(client)
    page = english_page(client, "/login")
    text = _text(page)
    for expected in ("Sign in", "Username", "Password", "No account yet?", "Register"):
        assert expected in text
    assert chinese_chrome(page) == []


def test_login_error_in_english(client):
    switch_to_english(client)
    response = client.post("/login", data={"username": "wangqiang", "password": "not-the-password"})
    page = visible(response.get_data(as_text=True))
    assert "The username or password is incorrect" in _text(page)
    assert chinese_chrome(page) == []


def _data_names(app) -> set[str]:
    """Chinese strings stored as data, not chrome: names of people, streets, districts, housing projects, units.
    Read through the app's own engine on any backend; the session is closed again so no lock stays behind."""
    from sqlalchemy import JSON, String, Text, select

    from housing_security.extensions import db

    names: set[str] = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, (String, Text, JSON)):
                    continue
                query = select(column) if isinstance(column.type, JSON) else select(column).distinct()
                for value in db.session.scalars(query):
                    if isinstance(value, (dict, list)):
                        value = json.dumps(value, ensure_ascii=False)
                    if isinstance(value, str) and CJK.search(value):
                        names.update(_cjk_values(value))
        db.session.remove()
    return names - set(_messages(_catalogue("zh")))  # a stored value equal to a message id stays chrome


def _cjk_values(value: str) -> set[str]:
    """A stored value, and the strings inside it when it is JSON (names in several languages)."""
    import json

    try:
        loaded = json.loads(value)
    except ValueError:
        return {value}
    found: set[str] = set()
    stack = [loaded]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, str) and CJK.search(item):
            found.add(item)
    return found or {value}


def test_bureau_dashboard_in_english(app, login_as):
    officer = login_as("liuchu")
    switch_to_english(officer)
    page = english_page(officer, "/bureau/")
    text = _text(page)
    for expected in ("Overview", "Cases", "Units", "Allocation rounds", "Allocation rate", "Completed",
                     "Allocated", "Case status", "Sign out", "City housing security bureau officer"):
        assert expected in text
    assert chinese_chrome(page, _data_names(app)) == []


def test_caseworker_inbox_in_english(app, login_as):
    caseworker = login_as("wangqiang")
    switch_to_english(caseworker)
    page = english_page(caseworker, "/cases/")
    text = _text(page)
    for expected in ("Cases", "Assisted intake", "Status", "Overdue", "Reference", "Applicant",
                     "Street office caseworker", "Export CSV", "Sign out"):
        assert expected in text
    assert chinese_chrome(page, _data_names(app)) == []


def test_language_choice_stays_with_the_account(login_as):
    caseworker = login_as("wangqiang")
    switch_to_english(caseworker)
    assert "Sign out" in caseworker.get("/cases/").get_data(as_text=True)
    caseworker.post("/language", data={"language": "zh"})
    page = visible(caseworker.get("/cases/").get_data(as_text=True))
    assert page.html_lang == "zh-CN"
    assert "住房保障服务" in page.title and "退出" in _text(page)
