"""Validate a CDA document as the ANS content tester does, in three layers.

1. ``xsd``: the ANS extended CDA schema (``cda-ans/CDA_extended.xsd``);
2. ``header``: the CI-SIS header schematron (structuration minimale);
3. ``document-type``: the volet schematron of the document's template, when one exists
   (``specs/dmp/cda-schematrons.toml``); a document conforms when it passes one of the
   volet's published versions, newest tried first.

Bytes go through the hardened parser first: a hostile document stops there and no XSLT
runs. A layer that cannot run (an upstream file missing from the store, Saxon stopping)
is reported ``not run`` with the reason, never as a pass.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from lxml import etree

from dmpkit.cda.schematron.errors import (
    SchematronError,
    SchematronIncludeError,
    SchematronRunError,
)
from dmpkit.cda.schematron.runner import SchematronHit, compile_schematron, run_schematron
from dmpkit.cda.schematron.table import load_table
from dmpkit.findings import Finding, Severity
from dmpkit.specstore import SpecStoreMissingError
from dmpkit.xmlparse import XmlSecurityError, parse_xml
from dmpkit.xsdvalidate import SchemaLoadError, XsdIssue
from dmpkit.xsdvalidate import validate as xsd_validate

__all__ = [
    "ALL_LAYERS",
    "CdaValidationReport",
    "LayerResult",
    "LayerStatus",
    "validate_cda",
    "validate_cda_file",
]

CDA_NS = "urn:hl7-org:v3"
_C = "{" + CDA_NS + "}"
#: The three layers, in the order they run.
ALL_LAYERS = ("xsd", "header", "document-type")
_XSD = "cda-ans/CDA_extended.xsd"
# The SI DMP's error code for a CDA refused on content is not in the public material [NF].
_XSD_CODE = "CDA-XSD"
_SCHEMATRON_CODE = "CDA-SCHEMATRON"


class LayerStatus(StrEnum):
    """The outcome of one layer."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not run"
    NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True, slots=True)
class LayerResult:
    """One validation layer's outcome.

    Attributes:
        layer: ``parse``, ``xsd``, ``header`` or ``document-type``.
        status: passed, failed, not run (with ``reason``) or not applicable.
        source: the schema or schematron used (store-relative).
        findings: the problems found (errors fail the layer; warnings do not).
        seconds: wall time of the layer, compilation included.
        compile_seconds: time spent compiling the schematron in this call (cold start).
        reason: why the layer did not run or does not apply.
        notes: upstream defects worked around to run the layer (say how each was handled).
    """

    layer: str
    status: LayerStatus
    source: str = ""
    findings: tuple[Finding, ...] = ()
    seconds: float = 0.0
    compile_seconds: float = 0.0
    reason: str = ""
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The layer as JSON-able data, each finding tagged with the layer."""
        return {
            "layer": self.layer, "status": self.status.value, "source": self.source,
            "reason": self.reason, "notes": list(self.notes),
            "seconds": round(self.seconds, 4),
            "compile_seconds": round(self.compile_seconds, 4),
            "findings": [{"layer": self.layer, **f.to_dict()} for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class CdaValidationReport:
    """The outcome of every layer for one document."""

    document: str
    layers: tuple[LayerResult, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """True only when every layer passed (or does not apply): ``not run`` is no pass."""
        return all(r.status in (LayerStatus.PASSED, LayerStatus.NOT_APPLICABLE)
                   for r in self.layers)

    @property
    def findings(self) -> list[tuple[str, Finding]]:
        """Every finding with the layer it comes from."""
        return [(r.layer, f) for r in self.layers for f in r.findings]

    def layer(self, name: str) -> LayerResult:
        """The result of one layer.

        Raises:
            KeyError: the layer was not run.
        """
        for result in self.layers:
            if result.layer == name:
                return result
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-able data."""
        return {"document": self.document, "passed": self.passed,
                "layers": [r.to_dict() for r in self.layers]}


def _status(findings: list[Finding]) -> LayerStatus:
    failed = any(f.severity is Severity.ERROR for f in findings)
    return LayerStatus.FAILED if failed else LayerStatus.PASSED


def _xsd_finding(issue: XsdIssue) -> Finding:
    return Finding(
        severity=Severity.ERROR, rule_id="CDA-XSD", error_code=_XSD_CODE,
        item=issue.path.rsplit("/", 1)[-1].split("[")[0] or "ClinicalDocument",
        location=f"{issue.path} (line {issue.line})", value=None,
        allowed="ANS extended CDA R2 schema (cda-ans/CDA_extended.xsd)",
        hint=issue.message.strip(),
    )


def _xsd_layer(root: etree._Element, store: Path | None) -> LayerResult:
    started = time.perf_counter()
    try:
        issues = xsd_validate(root, _XSD, store=store)
    except (SchemaLoadError, SpecStoreMissingError) as exc:
        return LayerResult("xsd", LayerStatus.NOT_RUN, _XSD, reason=str(exc),
                           seconds=time.perf_counter() - started)
    findings = [_xsd_finding(issue) for issue in issues]
    return LayerResult("xsd", _status(findings), _XSD, tuple(findings),
                       time.perf_counter() - started)


_SEVERITY_BY_ROLE = {"warning": Severity.WARNING, "warn": Severity.WARNING,
                     "info": Severity.INFO, "information": Severity.INFO}


def _value_at(root: etree._Element, location: str) -> str | None:
    """A short rendering of the node a finding points at (its code, value or text)."""
    try:
        nodes = root.getroottree().xpath(location, namespaces={"cda": CDA_NS})
    except etree.XPathError:
        return None
    if not isinstance(nodes, list) or not nodes or not isinstance(nodes[0], etree._Element):
        return None
    node = nodes[0]
    for attribute in ("code", "value", "root", "nullFlavor"):
        if node.get(attribute) is not None:
            return f"@{attribute}={node.get(attribute)}"
    if len(node):
        return None
    text = " ".join("".join(str(t) for t in node.itertext()).split())
    return text[:80] if text else None


def _schematron_finding(hit: SchematronHit, root: etree._Element) -> Finding:
    # CI-SIS hand-written reports carry no role and mean errors; so do role-less asserts.
    severity = _SEVERITY_BY_ROLE.get(hit.role.lower(), Severity.ERROR)
    stem = Path(hit.source).stem if hit.source else "schematron"
    hint = f"see {hit.see}; " if hit.see else ""
    return Finding(
        severity=severity, rule_id=hit.rule_id or f"{stem}#{hit.pattern}",
        error_code=_SCHEMATRON_CODE, item=hit.context, location=hit.location or "/",
        value=_value_at(root, hit.location) if hit.location else None,
        allowed=hit.message, hint=f"{hint}{hit.kind} {hit.test}",
    )


@dataclass(frozen=True, slots=True)
class _Run:
    status: LayerStatus
    findings: tuple[Finding, ...] = ()
    compile_seconds: float = 0.0
    reason: str = ""
    notes: tuple[str, ...] = ()


def _run_one(relative: str, data: bytes, root: etree._Element, store: Path | None) -> _Run:
    """Compile and run one schematron."""
    try:
        compiled = compile_schematron(relative, store=store)
    except SchematronIncludeError as exc:
        return _Run(LayerStatus.NOT_RUN, reason=f"upstream defect, file missing: {exc.missing}")
    except SchematronError as exc:
        return _Run(LayerStatus.NOT_RUN, reason=str(exc))
    compile_seconds = compiled.seconds_to_xslt + compiled.seconds_saxon_compile
    try:
        hits = run_schematron(compiled, data)
    except SchematronRunError as exc:
        return _Run(LayerStatus.NOT_RUN, (), compile_seconds, str(exc), compiled.notes)
    findings = tuple(_schematron_finding(hit, root) for hit in hits)
    return _Run(_status(list(findings)), findings, compile_seconds, "", compiled.notes)


def _schematron_layer(layer: str, candidates: tuple[str, ...], data: bytes,
                      root: etree._Element, store: Path | None) -> LayerResult:
    started = time.perf_counter()
    compile_total = 0.0
    first_failure: LayerResult | None = None
    reasons: list[str] = []
    for relative in candidates:
        run = _run_one(relative, data, root, store)
        compile_total += run.compile_seconds
        if run.status is LayerStatus.NOT_RUN:
            reasons.append(f"{relative}: {run.reason}")
            continue
        result = LayerResult(layer, run.status, relative, run.findings, notes=run.notes)
        if run.status is LayerStatus.PASSED:
            first_failure = result
            break
        if first_failure is None:
            first_failure = result
    elapsed = time.perf_counter() - started
    if first_failure is None:
        return LayerResult(layer, LayerStatus.NOT_RUN, candidates[0], (), elapsed,
                           compile_total, "; ".join(reasons))
    return LayerResult(layer, first_failure.status, first_failure.source,
                       first_failure.findings, elapsed, compile_total, "; ".join(reasons),
                       first_failure.notes)


def validate_cda(data: bytes, *, name: str = "document", store: Path | None = None,
                 layers: Collection[str] = ALL_LAYERS,
                 document_schematron: str | None = None) -> CdaValidationReport:
    """Validate CDA bytes through the requested layers.

    Args:
        data: the document (UTF-8 XML).
        name: how the report names the document.
        store: the spec store (default :func:`dmpkit.specstore.spec_store_dir`).
        layers: the layers to run, among :data:`ALL_LAYERS`.
        document_schematron: a store-relative ``.sch`` to use as the document-type layer
            instead of the one the table picks.

    Returns:
        The report; ``report.passed`` is True only when every layer run passed.
    """
    unknown = set(layers) - set(ALL_LAYERS)
    if unknown:
        raise ValueError(f"unknown layers {sorted(unknown)}; choose among {ALL_LAYERS}")
    try:
        root = parse_xml(data)
    except XmlSecurityError as exc:
        refused = Finding(Severity.ERROR, "XML-HARDENED-PARSER", type(exc).__name__,
                          "document", "/", None, "well-formed UTF-8 XML without DTD, "
                          "entities or XInclude, within the size limits", str(exc))
        skipped = tuple(LayerResult(layer, LayerStatus.NOT_RUN,
                                    reason="document refused by the hardened XML parser")
                        for layer in ALL_LAYERS if layer in layers)
        return CdaValidationReport(name, (LayerResult("parse", LayerStatus.FAILED,
                                                      findings=(refused,)), *skipped))
    results: list[LayerResult] = []
    if root.tag != _C + "ClinicalDocument":
        results.append(LayerResult("parse", LayerStatus.FAILED, findings=(Finding(
            Severity.ERROR, "CDA-ROOT", _XSD_CODE, "document", "/", str(root.tag),
            "a {urn:hl7-org:v3}ClinicalDocument root element"),)))
        return CdaValidationReport(name, tuple(results))
    table = load_table()
    if "xsd" in layers:
        results.append(_xsd_layer(root, store))
    if "header" in layers:
        results.append(_schematron_layer("header", (table.header,), data, root, store))
    if "document-type" in layers:
        if document_schematron is not None:
            results.append(_schematron_layer("document-type", (document_schematron,), data,
                                             root, store))
        else:
            template_ids = [t.get("root", "") for t in root.findall(_C + "templateId")]
            code = root.find(_C + "code")
            row = table.document_type_for(template_ids,
                                          code.get("code") if code is not None else None)
            if row is None:
                results.append(LayerResult(
                    "document-type", LayerStatus.NOT_APPLICABLE,
                    reason="no CI-SIS document-type schematron for templateIds "
                           + ", ".join(template_ids)))
            else:
                results.append(_schematron_layer("document-type", row.schematrons, data,
                                                 root, store))
    return CdaValidationReport(name, tuple(results))


def validate_cda_file(path: str | Path, **options: Any) -> CdaValidationReport:
    """:func:`validate_cda` on a file (named by its file name in the report)."""
    file_path = Path(path)
    return validate_cda(file_path.read_bytes(), name=file_path.name, **options)
