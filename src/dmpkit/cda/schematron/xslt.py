"""Write an expanded schematron as an XSLT 2.0 stylesheet, and check what it may read.

One mode per pattern walks the elements of the document; in each mode a rule is a template
whose priority falls with its rank, so a node fires at most the first rule that matches it
(ISO Schematron semantics). A failed assert or a successful report writes one ``finding``
element carrying the static facts (role, id, pattern, context, test, source file) as
literal attributes and the node's ``path()``; the message is built from the assert's text,
``value-of`` and ``name``.

Before writing, every ``doc()``/``document()`` argument must be a string literal, or a
variable bound to one, naming a file inside the spec store: no other function that reads
a resource is allowed. At run time Saxon is further limited to ``file:`` URIs.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

from lxml import etree

from dmpkit.cda.schematron.errors import SchematronSecurityError, SchematronSyntaxError
from dmpkit.cda.schematron.expand import SCH, SOURCE_ATTRIBUTE, ExpandedSchematron

__all__ = ["COMPILER_VERSION", "FINDING_NS", "to_xslt"]

#: Bump when the generated XSLT changes: it is part of the disk-cache key.
COMPILER_VERSION = "dmpkit-sch2xslt-1"
#: Namespace of the result elements the stylesheet writes.
FINDING_NS = "urn:dmpkit:schematron:findings"
_Q = "{" + SCH + "}"
_XSL = "http://www.w3.org/1999/XSL/Transform"

# Functions that read resources other than doc()/document(): never allowed.
_REFUSED_FUNCTIONS = re.compile(
    r"(?<![\w.\-:])(?:fn:)?(unparsed-text(?:-lines|-available)?|collection|uri-collection|"
    r"json-doc|doc-available|environment-variable|available-environment-variables|transform|"
    r"load-xquery-module|system-property)\s*\("
)
_DOC_CALL = re.compile(r"(?<![\w.\-:])(?:fn:)?(doc|document)\s*\(")
_STRING_LITERAL = re.compile(r"""\s*('[^']*'|"[^"]*")\s*\)""")
_VARIABLE = re.compile(r"\s*\$([\w.\-]+)\s*\)")
_XPATH_ATTRIBUTES = ("context", "test", "select", "value")


def _attr(value: str) -> str:
    return quoteattr(value)


def _avt_literal(value: str) -> str:
    """A literal attribute value that XSLT will not read as an attribute value template."""
    return quoteattr(value.replace("{", "{{").replace("}", "}}"))


def _global_lets(root: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for let in root.iter(_Q + "let"):
        parent = let.getparent()
        if parent is not None and parent.tag in (_Q + "schema", _Q + "pattern"):
            found.setdefault(let.get("name", ""), let.get("value", ""))
    return found


def _check_resource_access(expanded: ExpandedSchematron, store: Path,
                           global_lets: dict[str, str]) -> None:
    base = expanded.path.parent
    for element in expanded.root.iter(etree.Element):
        for key in _XPATH_ATTRIBUTES:
            expression = element.get(key)
            if not expression:
                continue
            refused = _REFUSED_FUNCTIONS.search(expression)
            if refused:
                raise SchematronSecurityError(
                    f"function {refused.group(1)}() is refused in schematron expressions")
            for call in _DOC_CALL.finditer(expression):
                rest = expression[call.end():]
                literal = _STRING_LITERAL.match(rest)
                variable = _VARIABLE.match(rest)
                if variable is not None:
                    bound = global_lets.get(variable.group(1), "")
                    literal = _STRING_LITERAL.match(bound.strip() + ")")
                if literal is None:
                    raise SchematronSecurityError(
                        f"{call.group(1)}() argument is not a literal store path: "
                        f"{expression[call.start():call.start() + 120]!r}")
                target = literal.group(1)[1:-1]
                if ":" in target or target.startswith("/"):
                    raise SchematronSecurityError(f"{call.group(1)}({target!r}) is not relative")
                if not (base / target).resolve().is_relative_to(store.resolve()):
                    raise SchematronSecurityError(
                        f"{call.group(1)}({target!r}) resolves outside the spec store")


def _message(node: etree._Element) -> str:
    """The XSLT instructions that write the text of an assert or report."""
    parts: list[str] = []
    if node.text:
        parts.append(f"<xsl:text>{_escape_text(node.text)}</xsl:text>")
    for child in node:
        if isinstance(child.tag, str):
            if child.tag == _Q + "value-of":
                parts.append(f"<xsl:value-of select={_attr(child.get('select', ''))}/>")
            elif child.tag == _Q + "name":
                path = child.get("path", ".")
                parts.append(f"<xsl:value-of select={_attr(f'name({path})')}/>")
            else:
                parts.append(_message(child))
        if child.tail:
            parts.append(f"<xsl:text>{_escape_text(child.tail)}</xsl:text>")
    return "".join(parts)


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _source(element: etree._Element) -> str:
    for ancestor in (element, *element.iterancestors()):
        source = ancestor.get(SOURCE_ATTRIBUTE)
        if source:
            return source
    return ""


def _check(node: etree._Element, kind: str, pattern_id: str, context: str) -> str:
    test = node.get("test")
    if not test:
        raise SchematronSyntaxError(f"sch:{kind} without test in pattern {pattern_id!r}")
    condition = f"not({test})" if kind == "assert" else test
    attributes = {
        "kind": kind, "role": node.get("role", ""), "id": node.get("id", ""),
        "pattern": pattern_id, "context": context, "test": " ".join(test.split()),
        "see": node.get("see", ""), "source": _source(node),
    }
    literal = " ".join(f"{k}={_avt_literal(v)}" for k, v in attributes.items())
    return (f"<xsl:if test={_attr(condition)}><f:finding {literal} location=\"{{path()}}\">"
            f"{_message(node)}</f:finding></xsl:if>")


def _rule_template(rule: etree._Element, mode: str, rank: int, pattern_id: str) -> str:
    context = rule.get("context")
    if not context:
        raise SchematronSyntaxError(f"sch:rule without context in pattern {pattern_id!r}")
    body: list[str] = []
    for item in rule:
        if not isinstance(item.tag, str):
            continue
        if item.tag == _Q + "let":
            body.append(f"<xsl:variable name={_attr(item.get('name', ''))} "
                        f"select={_attr(item.get('value', ''))}/>")
        elif item.tag in (_Q + "assert", _Q + "report"):
            body.append(_check(item, etree.QName(item).localname, pattern_id, context))
        elif item.tag in (_Q + "title", _Q + "p"):
            continue
        else:
            raise SchematronSyntaxError(f"unsupported element {item.tag} in a rule")
    return (f"<xsl:template match={_attr(context)} priority=\"{10000 - rank}\" mode=\"{mode}\">"
            + "".join(body)
            + f"<xsl:apply-templates select=\"*\" mode=\"{mode}\"/></xsl:template>")


def _namespaces(root: etree._Element) -> dict[str, str]:
    declared: dict[str, str] = {}
    for element in root.iter(etree.Element):
        for prefix, uri in element.nsmap.items():
            if prefix and prefix not in ("xsl", "f", "xml"):
                declared.setdefault(prefix, uri)
    for ns in root.iter(_Q + "ns"):
        prefix, uri = ns.get("prefix"), ns.get("uri")
        if prefix and uri and prefix not in ("xsl", "f", "xml"):
            declared[prefix] = uri
    return declared


def to_xslt(expanded: ExpandedSchematron, store: Path) -> str:
    """The XSLT 2.0 text of an expanded schematron.

    The stylesheet's ``xml:base`` is the main ``.sch`` location, so relative ``doc()``
    paths resolve as they would next to the original file.

    Raises:
        SchematronSecurityError: an expression would read outside the store.
        SchematronSyntaxError: an unsupported construct.
    """
    root = expanded.root
    global_lets = _global_lets(root)
    _check_resource_access(expanded, store, global_lets)
    namespaces = _namespaces(root)
    declarations = " ".join(f"xmlns:{p}={_attr(u)}" for p, u in sorted(namespaces.items()))
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<xsl:stylesheet version=\"2.0\" xmlns:xsl=\"{_XSL}\" xmlns:f=\"{FINDING_NS}\" "
        f"{declarations} xml:base={_attr(expanded.path.as_uri())} "
        f"exclude-result-prefixes=\"#all\">",
        f"<!-- {COMPILER_VERSION}: from {expanded.inputs[0][0]}; do not edit -->",
        '<xsl:output method="xml" encoding="UTF-8" indent="no"/>',
    ]
    for name, value in global_lets.items():
        out.append(f"<xsl:variable name={_attr(name)} select={_attr(value)}/>")
    patterns = [p for p in root.iter(_Q + "pattern") if p.find(_Q + "rule") is not None]
    calls: list[str] = []
    for index, pattern in enumerate(patterns):
        mode = f"M{index}"
        pattern_id = pattern.get("id") or f"pattern-{index}"
        calls.append(f"<xsl:apply-templates select=\"/\" mode=\"{mode}\"/>")
        for rank, rule in enumerate(pattern.findall(_Q + "rule")):
            if rule.get("abstract") == "true":
                continue
            out.append(_rule_template(rule, mode, rank, pattern_id))
        out.append(f"<xsl:template match=\"/|*\" priority=\"-2\" mode=\"{mode}\">"
                   f"<xsl:apply-templates select=\"*\" mode=\"{mode}\"/></xsl:template>")
    out.append(f"<xsl:template match=\"/\"><f:findings patterns=\"{len(patterns)}\">"
               + "".join(calls) + "</f:findings></xsl:template>")
    out.append("</xsl:stylesheet>")
    return "\n".join(out)
