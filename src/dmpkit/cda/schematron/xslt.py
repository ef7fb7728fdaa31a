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

import json
import os
import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

from lxml import etree

from dmpkit.cda.schematron.errors import SchematronSecurityError, SchematronSyntaxError
from dmpkit.cda.schematron.expand import (
    SCH,
    SOURCE_ATTRIBUTE,
    ExpandedSchematron,
    resolve_case_insensitively,
)

__all__ = ["COMPILER_VERSION", "FINDING_NS", "to_xslt"]

#: Bump when the generated XSLT changes: it is part of the disk-cache key.
COMPILER_VERSION = "dmpkit-sch2xslt-5"
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
# Extension functions (Saxon, Java, EXPath file...) could reach anything: never allowed.
_EXTENSION_CALL = re.compile(
    r"(?:\b(?:saxon|java|file|exsl|exslt|ext|bin|proc)\s*:\s*[\w.\-]+\s*\(|"
    r"Q\{(?:http://saxon\.sf\.net|http://expath\.org|java:|http://exslt\.org)[^}]*\})"
)
_DOC_CALL = re.compile(r"(?<![\w.\-:])(?:fn:)?(doc|document)\s*\(")
_STRING_LITERAL = re.compile(r"""\s*('[^']*'|"[^"]*")\s*\)""")
_VARIABLE = re.compile(r"\s*\$([\w.\-]+)\s*\)")
_XPATH_ATTRIBUTES = ("context", "test", "select", "value", "path", "subject")


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
            # XSLT processors trim QName attributes: OPH-BRE declares "jdv_… " with a space.
            found.setdefault(let.get("name", "").strip(), let.get("value", ""))
    return found


def _check_resource_access(expanded: ExpandedSchematron, store: Path,
                           global_lets: dict[str, str]) -> dict[str, str]:
    """Refuse reads outside the store; return case corrections for value-set paths.

    Returns:
        ``{literal path: corrected path}`` for ``doc()`` targets that exist only with another
        case (resolved as on the ANS tester's Windows file system).
    """
    base = expanded.path.parent
    corrections: dict[str, str] = {}
    trees = [expanded.root, *expanded.abstract_rules.values()]
    for element in (e for tree in trees for e in tree.iter(etree.Element)):
        for key in _XPATH_ATTRIBUTES:
            expression = element.get(key)
            if not expression:
                continue
            refused = _REFUSED_FUNCTIONS.search(expression)
            if refused:
                raise SchematronSecurityError(
                    f"function {refused.group(1)}() is refused in schematron expressions")
            extension = _EXTENSION_CALL.search(expression)
            if extension:
                raise SchematronSecurityError(
                    f"extension call {extension.group(0)!r} is refused in schematron expressions")
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
                resolved = (base / target).resolve()
                if not resolved.is_relative_to(store.resolve()):
                    raise SchematronSecurityError(
                        f"{call.group(1)}({target!r}) resolves outside the spec store")
                if not resolved.exists():
                    found = resolve_case_insensitively(resolved, store.resolve())
                    if found is not None:
                        corrections[target] = os.path.relpath(found, base.resolve()).replace(
                            os.sep, "/")
    return corrections


def _apply_corrections(expanded: ExpandedSchematron, corrections: dict[str, str]) -> None:
    trees = [expanded.root, *expanded.abstract_rules.values()]
    for element in (e for tree in trees for e in tree.iter(etree.Element)):
        for key in _XPATH_ATTRIBUTES:
            expression = element.get(key)
            if not expression:
                continue
            for old, new in corrections.items():
                for quote in ("'", '"'):
                    expression = expression.replace(f"{quote}{old}{quote}", f"{quote}{new}{quote}")
            element.set(key, expression)
    for old, new in sorted(corrections.items()):
        expanded.notes.append(f"upstream defect handled: value set {old!r} found as {new!r} "
                              "(case differs; the ANS tester's Windows file system ignores case)")


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


def _strip_predicates(context: str) -> str | None:
    """The context without its ``[...]`` predicates and string literals (None if unbalanced)."""
    out: list[str] = []
    depth = 0
    quote = ""
    for char in context:
        if quote:
            quote = "" if char == quote else quote
            continue
        if char in "'\"":
            quote = char
            if depth == 0:
                return None
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            out.append(char)
    return "".join(out) if depth == 0 and not quote else None


_ROOT_STEP = re.compile(r"^(?:[\w.\-]+:)?ClinicalDocument$")
_CHILD_STEP = re.compile(r"^(?:[\w.\-]+:)?(?:[\w.\-]+|\*)$")


def _context_steps(context: str) -> list[str] | None:
    """The name steps of a context that is a child-only path from ClinicalDocument.

    ``//hl7:ClinicalDocument[...]/hl7:author/*`` gives ``[hl7:ClinicalDocument, hl7:author,
    *]``: it can only match below that chain when the document's root is ClinicalDocument
    (the only root validation accepts). ``[]`` for ``/``; None when the context may match
    anywhere (``//`` inside, unions, other axes, relative first steps).
    """
    if context.strip() == "/":
        return []
    path = _strip_predicates(context.strip())
    if path is None or "|" in path or "::" in path or ".." in path or "(" in path:
        return None
    if path.startswith("///"):
        return None
    head, *steps = path.lstrip("/").split("/")
    if not _ROOT_STEP.match(head) or any(not _CHILD_STEP.match(step) for step in steps):
        return None
    return [head, *steps]


def _descent_prefixes(rules: list[etree._Element]) -> list[str] | None:
    """Absolute paths of the elements whose children some rule of the pattern may match.

    None when a rule may match anywhere: then the whole document is walked.
    """
    prefixes: set[str] = set()
    for rule in rules:
        steps = _context_steps(rule.get("context", ""))
        if steps is None:
            return None
        for end in range(1, len(steps)):
            prefixes.add("/" + "/".join(steps[:end]))
    return sorted(prefixes)


def _xpath_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class _Writer:
    """Writes rule templates; abstract rules become named templates, written once each."""

    def __init__(self, abstract_rules: dict[str, etree._Element]) -> None:
        self.abstract_rules = abstract_rules
        self.names: dict[str, str] = {}
        self.pending: list[str] = []
        self.out: list[str] = []

    def template_name(self, rule_id: str) -> str:
        name = self.names.get(rule_id)
        if name is None:
            name = f"dmpkit-abstract-{len(self.names)}"
            self.names[rule_id] = name
            self.pending.append(rule_id)
        return name

    def check(self, node: etree._Element, kind: str, pattern_id: str | None,
              context: str | None) -> str:
        test = node.get("test")
        if not test:
            raise SchematronSyntaxError(f"sch:{kind} without test in pattern {pattern_id!r}")
        condition = f"not({test})" if kind == "assert" else test
        attributes = {
            "kind": kind, "role": node.get("role", ""), "id": node.get("id", ""),
            "test": " ".join(test.split()), "see": node.get("see", ""), "source": _source(node),
        }
        literal = " ".join(f"{k}={_avt_literal(v)}" for k, v in attributes.items())
        # Inside an abstract rule the pattern and context are the caller's, passed as params.
        where = (f"pattern={_avt_literal(pattern_id)} context={_avt_literal(context)}"
                 if pattern_id is not None and context is not None
                 else 'pattern="{$dmpkit-pattern}" context="{$dmpkit-context}"')
        return (f"<xsl:if test={_attr(condition)}><f:finding {literal} {where} "
                f"location=\"{{path()}}\">{_message(node)}</f:finding></xsl:if>")

    def body(self, rule: etree._Element, pattern_id: str | None, context: str | None) -> str:
        parts: list[str] = []
        for item in rule:
            if not isinstance(item.tag, str):
                continue
            if item.tag == _Q + "let":
                parts.append(f"<xsl:variable name={_attr(item.get('name', '').strip())} "
                             f"select={_attr(item.get('value', ''))}/>")
            elif item.tag in (_Q + "assert", _Q + "report"):
                parts.append(self.check(item, etree.QName(item).localname, pattern_id, context))
            elif item.tag == _Q + "extends":
                name = self.template_name(item.get("rule", ""))
                pattern_value = ("$dmpkit-pattern" if pattern_id is None
                                 else _xpath_string(pattern_id))
                context_value = "$dmpkit-context" if context is None else _xpath_string(context)
                parts.append(f"<xsl:call-template name=\"{name}\">"
                             f"<xsl:with-param name=\"dmpkit-pattern\" "
                             f"select={_attr(pattern_value)}/>"
                             f"<xsl:with-param name=\"dmpkit-context\" "
                             f"select={_attr(context_value)}/></xsl:call-template>")
            elif item.tag in (_Q + "title", _Q + "p"):
                continue
            else:
                raise SchematronSyntaxError(f"unsupported element {item.tag} in a rule")
        return "".join(parts)

    def rule(self, rule: etree._Element, mode: str, rank: int, pattern_id: str,
             descend: str) -> None:
        context = rule.get("context")
        if not context:
            raise SchematronSyntaxError(f"sch:rule without context in pattern {pattern_id!r}")
        self.out.append(
            f"<xsl:template match={_attr(context)} priority=\"{10000 - rank}\" mode=\"{mode}\">"
            + self.body(rule, pattern_id, " ".join(context.split())) + descend
            + "</xsl:template>")

    def abstract_templates(self) -> None:
        while self.pending:
            rule_id = self.pending.pop()
            self.out.append(
                f"<xsl:template name=\"{self.names[rule_id]}\">"
                "<xsl:param name=\"dmpkit-pattern\"/><xsl:param name=\"dmpkit-context\"/>"
                + self.body(self.abstract_rules[rule_id], None, None) + "</xsl:template>")


def _namespaces(trees: list[etree._Element]) -> dict[str, str]:
    declared: dict[str, str] = {}
    root = trees[0]
    for element in (e for tree in trees for e in tree.iter(etree.Element)):
        for prefix, uri in element.nsmap.items():
            if prefix and prefix not in ("xsl", "f", "xml"):
                declared.setdefault(prefix, uri)
    for ns in root.iter(_Q + "ns"):
        ns_prefix, ns_uri = ns.get("prefix"), ns.get("uri")
        if ns_prefix and ns_uri and ns_prefix not in ("xsl", "f", "xml"):
            declared[ns_prefix] = ns_uri
    return declared


def to_xslt(expanded: ExpandedSchematron, store: Path, *, prune: bool = True) -> str:
    """The XSLT 2.0 text of an expanded schematron.

    The stylesheet's ``xml:base`` is the main ``.sch`` location, so relative ``doc()``
    paths resolve as they would next to the original file.

    Args:
        expanded: from :func:`dmpkit.cda.schematron.expand.expand`.
        store: the spec store every ``doc()`` must stay in.
        prune: walk only the elements a pattern's rules can match when all its contexts
            are child paths from ClinicalDocument (the header schematron: 8 s → 0.3 s on
            a 1 MB document); False walks every element, as the ISO skeleton does.

    Raises:
        SchematronSecurityError: an expression would read outside the store.
        SchematronSyntaxError: an unsupported construct.
    """
    root = expanded.root
    global_lets = _global_lets(root)
    corrections = _check_resource_access(expanded, store, global_lets)
    if corrections:
        _apply_corrections(expanded, corrections)
        global_lets = _global_lets(root)
    namespaces = _namespaces([root, *expanded.abstract_rules.values()])
    declarations = " ".join(f"xmlns:{p}={_attr(u)}" for p, u in sorted(namespaces.items()))
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<xsl:stylesheet version=\"2.0\" xmlns:xsl=\"{_XSL}\" xmlns:f=\"{FINDING_NS}\" "
        f"{declarations} xml:base={_attr(expanded.path.as_uri())} "
        f"exclude-result-prefixes=\"#all\">",
        f"<!-- {COMPILER_VERSION}: from {expanded.inputs[0][0]}; do not edit -->",
        # "--" may not appear in a comment: JSON's \u002d escape keeps the text readable back.
        "<!-- dmpkit-notes: "
        + json.dumps(expanded.notes, ensure_ascii=True).replace("--", "-\\u002d") + " -->",
        '<xsl:output method="xml" encoding="UTF-8" indent="no"/>',
    ]
    for name, value in global_lets.items():
        out.append(f"<xsl:variable name={_attr(name)} select={_attr(value)}/>")
    patterns = [p for p in root.iter(_Q + "pattern") if p.find(_Q + "rule") is not None]
    calls: list[str] = []
    writer = _Writer(expanded.abstract_rules)
    for index, pattern in enumerate(patterns):
        mode = f"M{index}"
        pattern_id = pattern.get("id") or f"pattern-{index}"
        calls.append(f"<xsl:apply-templates select=\"/\" mode=\"{mode}\"/>")
        rules = pattern.findall(_Q + "rule")
        descend = f"<xsl:apply-templates select=\"*\" mode=\"{mode}\"/>"
        prefixes = _descent_prefixes(rules) if prune else None
        if prefixes is not None:
            # Header rules are child paths from the root: walk only the elements on those
            # paths (a mode of its own decides), not the whole structured body.
            walk = f"{mode}-walk"
            writer.out.append(f"<xsl:template match=\"/|*\" priority=\"-5\" mode=\"{walk}\"/>")
            if any(len(_context_steps(r.get("context", "")) or []) for r in rules):
                writer.out.append(f"<xsl:template match=\"/\" mode=\"{walk}\">{descend}"
                                  "</xsl:template>")
            if prefixes:
                writer.out.append(f"<xsl:template match={_attr(' | '.join(prefixes))} "
                                  f"mode=\"{walk}\">{descend}</xsl:template>")
            descend = f"<xsl:apply-templates select=\".\" mode=\"{walk}\"/>"
        for rank, rule in enumerate(rules):
            writer.rule(rule, mode, rank, pattern_id, descend)
        writer.out.append(f"<xsl:template match=\"/|*\" priority=\"-2\" mode=\"{mode}\">"
                          f"{descend}</xsl:template>")
    writer.abstract_templates()
    out.extend(writer.out)
    out.append(f"<xsl:template match=\"/\"><f:findings patterns=\"{len(patterns)}\">"
               + "".join(calls) + "</f:findings></xsl:template>")
    out.append("</xsl:stylesheet>")
    return "\n".join(out)
