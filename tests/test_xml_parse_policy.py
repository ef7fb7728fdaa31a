"""Every XML parse in the project goes through one hardened parser.

This test reads the Python sources of ``src/``, ``codegen/``, ``tests/`` and ``bench/``
and fails on any call that parses XML outside the allowed hardened-parser modules, so the
rule stays true as the project grows. Building trees (``etree.Element``) and compiling
schemas or stylesheets from already-parsed trees (``etree.XMLSchema(tree)``) are allowed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("src", "codegen", "tests", "bench")
# dmpkit's parser, and codegen's own (codegen never imports the runtime).
ALLOWED = frozenset({"src/dmpkit/xmlparse.py", "codegen/xmlsafe.py", "codegen/safexml.py"})

# Modules whose functions parse XML, and the parsing names each exposes.
_ETREE_PARSERS = frozenset({
    "fromstring", "fromstringlist", "parse", "XML", "XMLID", "XMLDTDID", "iterparse",
    "XMLParser", "XMLPullParser", "ETCompatXMLParser", "HTML", "HTMLParser", "DTD",
    "XMLTreeBuilder",
})
_PARSING_MODULES: dict[str, frozenset[str] | None] = {
    # None: importing the module at all is a parse path.
    "lxml.etree": _ETREE_PARSERS,
    "lxml.objectify": _ETREE_PARSERS | {"makeparser"},
    "lxml.html": _ETREE_PARSERS | {"document_fromstring", "fragment_fromstring",
                                   "fragments_fromstring"},
    "xml.etree.ElementTree": _ETREE_PARSERS,
    "xml.etree.cElementTree": _ETREE_PARSERS,
    "xml.dom.minidom": None,
    "xml.dom.pulldom": None,
    "xml.dom.expatbuilder": None,
    "xml.sax": None,
    "xml.sax.expatreader": None,
    "xml.parsers.expat": None,
    "pyexpat": None,
}
# Schema and stylesheet classes that also parse when given a file instead of a tree.
_FILE_LOADING = frozenset({"XMLSchema", "XSLT", "RelaxNG", "Schematron"})
_FILE_KEYWORDS = frozenset({"file"})
# xsdata's parsers read raw input with their own lxml settings; they may only walk a tree
# already parsed by dmpkit (``XmlParser().parse(element)``).
_XSDATA_PARSERS = "xsdata.formats.dataclass.parsers"
_XSDATA_RAW_INPUT = frozenset({"from_bytes", "from_string", "from_path"})
# Receivers conventionally bound to an XML module, even if the import is out of sight.
_CONVENTIONAL = {"etree": "lxml.etree", "ET": "xml.etree.ElementTree",
                 "ElementTree": "xml.etree.ElementTree", "objectify": "lxml.objectify",
                 "minidom": "xml.dom.minidom"}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.aliases: dict[str, str] = dict(_CONVENTIONAL)
        self.uses_xsdata_parsers = False
        self.violations: list[Violation] = []

    def _flag(self, node: ast.AST, what: str) -> None:
        self.violations.append(Violation(self.path, getattr(node, "lineno", 0), what))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name in _PARSING_MODULES:
                if _PARSING_MODULES[alias.name] is None:
                    self._flag(node, f"import {alias.name}")
                self.aliases[alias.asname or alias.name] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.startswith(_XSDATA_PARSERS):
            self.uses_xsdata_parsers = True
        for alias in node.names:
            full = f"{module}.{alias.name}"
            if full in _PARSING_MODULES:
                if _PARSING_MODULES[full] is None:
                    self._flag(node, f"from {module} import {alias.name}")
                self.aliases[alias.asname or alias.name] = full
            elif module in _PARSING_MODULES:
                names = _PARSING_MODULES[module]
                if names is None or alias.name in names:
                    self._flag(node, f"from {module} import {alias.name}")

    def visit_Call(self, node: ast.Call) -> None:
        target = _dotted(node.func)
        if target and "." in target:
            receiver, _, name = target.rpartition(".")
            module = self.aliases.get(receiver, receiver)
            names = _PARSING_MODULES.get(module, frozenset())
            if names is None or (names and name in names):
                self._flag(node, f"{target}(...) parses XML")
            loads_file = any(k.arg in _FILE_KEYWORDS for k in node.keywords) or any(
                isinstance(a, ast.Constant) and isinstance(a.value, str | bytes)
                for a in node.args
            )
            if module in _PARSING_MODULES and name in _FILE_LOADING and loads_file:
                self._flag(node, f"{target}(file=...) parses XML: pass a parsed tree")
        if (
            self.uses_xsdata_parsers
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _XSDATA_RAW_INPUT
        ):
            self._flag(node, f".{node.func.attr}(...) lets xsdata parse raw XML")
        self.generic_visit(node)


def scan_source(source: str, path: str) -> list[Violation]:
    scanner = _Scanner(path)
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        return [Violation(path, exc.lineno or 0, "not valid Python, cannot be checked")]
    scanner.visit(tree)
    return scanner.violations


def project_sources() -> list[Path]:
    return sorted(
        file
        for folder in SCANNED
        if (REPO_ROOT / folder).is_dir()
        for file in (REPO_ROOT / folder).rglob("*.py")
        if ".venv" not in file.parts and "__pycache__" not in file.parts
    )


def test_no_module_parses_xml_outside_the_hardened_parsers() -> None:
    sources = project_sources()
    assert any(path.name == "xmlparse.py" for path in sources)
    violations = [
        violation
        for path in sources
        if (relative := path.relative_to(REPO_ROOT).as_posix()) not in ALLOWED
        for violation in scan_source(path.read_text(encoding="utf-8"), relative)
    ]
    assert not violations, (
        "XML must be parsed with dmpkit.xmlparse.parse_xml / parse_xml_file "
        "(codegen: codegen.xmlsafe); found:\n" + "\n".join(map(str, violations))
    )


@pytest.mark.parametrize(
    "source",
    [
        "from lxml import etree\netree.fromstring(b'<a/>')",
        "import lxml.etree\nlxml.etree.parse('a.xml')",
        "from lxml import etree as et\net.XML('<a/>')",
        "from lxml import etree\nfor _ in etree.iterparse('a.xml'): pass",
        "from lxml import etree\np = etree.XMLParser(resolve_entities=True)",
        "import xml.etree.ElementTree as ET\nET.fromstring('<a/>')",
        "from xml.etree.ElementTree import parse",
        "from lxml.etree import fromstring",
        "import xml.dom.minidom",
        "from xml.dom import minidom\nminidom.parseString('<a/>')",
        "import xml.sax",
        "from lxml import etree\netree.XMLSchema(file='schema.xsd')",
        "from lxml import etree\netree.XSLT(etree.parse('x.xsl'))",
        "from xsdata.formats.dataclass.parsers import XmlParser\nXmlParser().from_bytes(b'', A)",
        "from xsdata.formats.dataclass.parsers import XmlParser\nXmlParser().from_path(p, A)",
    ],
)
def test_scanner_catches_each_parse_path(source: str) -> None:
    assert scan_source(source, "example.py")


@pytest.mark.parametrize(
    "source",
    [
        "from lxml import etree\nroot = etree.Element('a')\netree.SubElement(root, 'b')",
        "from lxml import etree\netree.tostring(etree.Element('a'))",
        "from lxml import etree\nschema = etree.XMLSchema(tree)",
        "from lxml import etree\nxslt = etree.XSLT(parse_xml(data).getroottree())",
        "from xml.sax.saxutils import quoteattr\nquoteattr('x')",
        "import argparse\nargparse.ArgumentParser().parse_args([])",
        "from urllib.parse import urlparse\nurlparse('http://x')",
        "# etree.fromstring(b'<a/>') in a comment is fine\nx = 1",
        "from xsdata.formats.dataclass.parsers import XmlParser\nXmlParser().parse(tree, A)",
        "n = int.from_bytes(b'\\x01', 'big')",
    ],
)
def test_scanner_allows_construction_and_unrelated_parse_names(source: str) -> None:
    assert scan_source(source, "example.py") == []
