"""The validator's vocabulary: one function per ``check`` of the rules file.

Each check receives its :class:`~dmpkit.metadata.rules.Rule` and the :class:`Context` of the
message and yields :class:`~dmpkit.findings.Finding` objects.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dmpkit.findings import Finding, Severity
from dmpkit.identifiers.hl7v2 import Cwe, Cx, Hl7v2FormatError, Xcn, Xon
from dmpkit.metadata import ebrim_map as m
from dmpkit.metadata.ebrim import DecodeProblem
from dmpkit.metadata.formats import FORMATS, describe
from dmpkit.metadata.model import CodedValue, DocumentEntry, XdsMetadata
from dmpkit.metadata.rules import Rule
from dmpkit.valuesets import registry
from dmpkit.valuesets._errors import ValueSetError

__all__ = ["CHECKS", "Context"]

_UUID_URN = re.compile(r"^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                       r"[0-9a-fA-F]{12}$")
_NEAREST = 3


@dataclass(slots=True)
class Context:
    """What a check sees.

    Attributes:
        metadata: the decoded metadata.
        problems: what the decoder could not type.
        documents: the documents of an ITI-41 request by DocumentEntry id (None otherwise).
        submission: True for a submission (ITI-41/42/57), False for a query result.
        prefix: the location of ``rim:RegistryObjectList`` in the message.
    """

    metadata: XdsMetadata
    problems: Sequence[DecodeProblem] = ()
    documents: Mapping[str, bytes] | None = None
    submission: bool = True
    prefix: str = ""
    claimed: set[tuple[str, str, str]] = field(default_factory=set)

    def at(self, relative: str) -> str:
        """A location in the message."""
        return f"{self.prefix}/{relative}" if self.prefix else relative


@dataclass(frozen=True, slots=True)
class _Target:
    """One object a rule applies to, and how to locate its items."""

    carrier: str  # DocumentEntry, SubmissionSet, Folder, Association or Author
    parent: str  # the carrier of the object the author belongs to (or the carrier itself)
    object_id: str
    value: Any
    author_index: int | None = None

    def location(self, item: str | None, index: int | None = None) -> str:
        if self.carrier == "Author":
            return m.location(self.parent, self.object_id, item, index=index,
                              author_index=self.author_index)
        return m.location(self.carrier, self.object_id, item, index=index)


def _exempt(rule: Rule, document: DocumentEntry) -> bool:
    exempt = rule.params.get("exempt_format_code")
    return bool(exempt) and document.format_code is not None and \
        document.format_code.code == exempt


def _targets(rule: Rule, ctx: Context) -> Iterator[_Target]:
    meta = ctx.metadata
    carrier = rule.carrier
    if carrier in ("DocumentEntry", "DocumentEntry.author"):
        for document in meta.documents:
            if _exempt(rule, document):
                continue
            if carrier == "DocumentEntry":
                yield _Target("DocumentEntry", "DocumentEntry", document.entry_uuid, document)
            else:
                for n, author in enumerate(document.authors, 1):
                    yield _Target("Author", "DocumentEntry", document.entry_uuid, author, n)
    elif carrier in ("SubmissionSet", "SubmissionSet.author") and meta.submission_set:
        ss = meta.submission_set
        if carrier == "SubmissionSet":
            yield _Target("SubmissionSet", "SubmissionSet", ss.entry_uuid, ss)
        else:
            for n, author in enumerate(ss.authors, 1):
                yield _Target("Author", "SubmissionSet", ss.entry_uuid, author, n)
    elif carrier == "Folder":
        for folder in meta.folders:
            yield _Target("Folder", "Folder", folder.entry_uuid, folder)
    elif carrier == "Association":
        for association in meta.associations:
            yield _Target("Association", "Association", association.entry_uuid, association)


def _field(target: _Target, item: str) -> tuple[m.Row, Any]:
    row = m.row(target.carrier, item)
    return row, getattr(target.value, row.field)


def _values(row: m.Row, value: Any) -> list[Any]:
    if row.multiple:
        return list(value)
    return [] if value is None or value == "" else [value]


def _text(value: Any) -> str:
    if isinstance(value, Cx | Xcn | Xon | Cwe):
        return value.format()
    if isinstance(value, CodedValue):
        return f"{value.code} ({value.scheme})" if value.scheme else value.code
    return str(value)


def _finding(rule: Rule, location: str, value: str | None, allowed: str, *,
             hint: str | None = None, nearest: tuple[tuple[str, str], ...] = (),
             severity: Severity | None = None) -> Finding:
    item = rule.carrier.replace(".author", "") + "." + rule.item \
        if rule.carrier != "Submission" else rule.item
    return Finding(severity or rule.severity, rule.id, rule.error_code, item, location, value,
                   allowed, rule.hint if hint is None else hint, nearest)


def _problems_of(ctx: Context, target: _Target, item: str, kind: str) -> list[DecodeProblem]:
    carrier = target.carrier
    return [p for p in ctx.problems if p.kind == kind and p.item == item
            and p.carrier == carrier and p.object_id == target.object_id]


# ---- per-object checks -------------------------------------------------------------------

def _cardinality(rule: Rule, ctx: Context) -> Iterator[Finding]:
    low = int(rule.params.get("min", 0))
    high = rule.params.get("max")
    for target in _targets(rule, ctx):
        row, value = _field(target, rule.item)
        count = len(_values(row, value))
        duplicates = _problems_of(ctx, target, rule.item, "duplicate")
        if duplicates:
            ctx.claimed.update((p.carrier, p.object_id, p.item) for p in duplicates)
            count = max(count, 2)
        allowed = f"{low}..{'*' if high is None else high} occurrence(s)"
        if count < low:
            yield _finding(rule, ctx.at(target.location(rule.item)), None,
                           f"{allowed}, found {count}")
        elif high is not None and count > int(high):
            shown = duplicates[0].value if duplicates else "; ".join(
                _text(v) for v in _values(row, value))
            yield _finding(rule, ctx.at(target.location(rule.item)), shown,
                           f"{allowed}, found {count}")


def _format(rule: Rule, ctx: Context) -> Iterator[Finding]:
    name = str(rule.params["format"])
    check = FORMATS[name]
    for target in _targets(rule, ctx):
        row, value = _field(target, rule.item)
        for problem in _problems_of(ctx, target, rule.item, "format"):
            ctx.claimed.add((problem.carrier, problem.object_id, problem.item))
            yield _finding(rule, ctx.at(target.location(rule.item)), problem.value,
                           describe(name), hint=f"{problem.message}; {rule.hint}")
        values = _values(row, value)
        for index, one in enumerate(values, 1):
            try:
                found = check(one)
            except Hl7v2FormatError as error:
                found = [str(error)]
            if found:
                where = target.location(rule.item, index if row.multiple else None)
                yield _finding(rule, ctx.at(where), _text(one), describe(name),
                               hint="; ".join(found) + f"; {rule.hint}")


def _coded_parts(value: Any) -> tuple[str, str | None]:
    if isinstance(value, CodedValue):
        return value.code, value.scheme
    if isinstance(value, Cwe):
        return value.code, value.coding_scheme or None
    return str(value), None


def _valueset(rule: Rule, ctx: Context) -> Iterator[Finding]:
    value_set = registry.for_metadata(str(rule.params["binding"]))
    code_only = bool(rule.params.get("match_code_only", False))
    allowed = f"a code of {value_set.name} ({value_set.oid}, {len(value_set)} codes)"
    for target in _targets(rule, ctx):
        row, value = _field(target, rule.item)
        values = _values(row, value)
        for index, one in enumerate(values, 1):
            code, scheme = _coded_parts(one)
            where = ctx.at(target.location(rule.item, index if row.multiple else None))
            if value_set.find(code, None if code_only else scheme) is not None:
                continue
            listed = value_set.find(code)
            if listed is not None and not code_only:
                yield _finding(rule, where, _text(one),
                               f"{allowed}: {code} belongs to codingScheme {listed.code_system}",
                               hint=f"write codingScheme {listed.code_system} for {code} "
                                    f"({listed.display or ''})")
                continue
            nearest = tuple((c.code, c.display or "") for c in value_set.nearest(code, _NEAREST))
            yield _finding(rule, where, _text(one), allowed, nearest=nearest)


def _derived(rule: Rule, ctx: Context) -> Iterator[Finding]:
    source_item = str(rule.params["from"])
    for target in _targets(rule, ctx):
        _, derived = _field(target, rule.item)
        _, origin = _field(target, source_item)
        if derived is None or origin is None:
            continue
        try:
            expected = registry.derive(rule.item, origin.code, origin.scheme or None)
        except ValueSetError:
            expected = ()
        where = ctx.at(target.location(rule.item))
        if not expected:
            yield _finding(rule, where, _text(derived),
                           f"no {rule.item} is mapped for {source_item} {origin.code}",
                           hint="the correspondence table has no row for this typeCode: "
                                "check it by hand", severity=Severity.INFO)
            continue
        if any(c.code == derived.code for c in expected):
            continue
        yield _finding(rule, where, _text(derived),
                       f"{rule.item} mapped from {source_item} {origin.code}: "
                       + ", ".join(c.code for c in expected),
                       nearest=tuple((c.code, c.display or "") for c in expected))


def _coded(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for target in _targets(rule, ctx):
        row, value = _field(target, rule.item)
        for index, one in enumerate(_values(row, value), 1):
            if not one.code or not one.scheme:
                yield _finding(rule, ctx.at(target.location(rule.item, index)), _text(one),
                               "a code and its codingScheme OID")


def _time_order(rule: Rule, ctx: Context) -> Iterator[Finding]:
    after = str(rule.params["after"])
    for target in _targets(rule, ctx):
        _, stop = _field(target, rule.item)
        _, start = _field(target, after)
        if not stop or not start or not (stop.isdigit() and start.isdigit()):
            continue
        common = min(len(stop), len(start))
        if stop[:common] < start[:common]:
            yield _finding(rule, ctx.at(target.location(rule.item)), stop,
                           f"not before {after} {start}")


def _enum(rule: Rule, ctx: Context) -> Iterator[Finding]:
    allowed_values = [str(v) for v in rule.params["values"]]
    for target in _targets(rule, ctx):
        row, value = _field(target, rule.item)
        for one in _values(row, value):
            if str(one) not in allowed_values:
                yield _finding(rule, ctx.at(target.location(rule.item)), str(one),
                               "one of " + ", ".join(allowed_values))


def _document_bytes(ctx: Context, target: _Target) -> bytes | None:
    if ctx.documents is None:
        return None
    return ctx.documents.get(target.object_id)


def _hash_matches(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for target in _targets(rule, ctx):
        content = _document_bytes(ctx, target)
        declared = target.value.hash
        if content is None or not declared:
            continue
        actual = hashlib.sha1(content, usedforsecurity=False).hexdigest()
        if declared.lower() != actual:
            yield _finding(rule, ctx.at(target.location("hash")), declared,
                           f"the SHA-1 of the {len(content)} bytes sent: {actual}")


def _size_matches(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for target in _targets(rule, ctx):
        content = _document_bytes(ctx, target)
        declared = target.value.size
        if content is None or declared is None:
            continue
        if declared != len(content):
            yield _finding(rule, ctx.at(target.location("size")), str(declared),
                           f"the length of the bytes sent: {len(content)}")


def _reference_id_type(rule: Rule, ctx: Context) -> Iterator[Finding]:
    value_set = registry.for_metadata(str(rule.params["binding"]))
    codes = [c.code for c in value_set.concepts]
    for target in _targets(rule, ctx):
        for index, cx in enumerate(target.value.reference_ids, 1):
            if cx.identifier_type_code not in codes:
                nearest = tuple((c.code, c.display or "")
                                for c in value_set.nearest(cx.identifier_type_code, _NEAREST))
                yield _finding(rule, ctx.at(target.location(rule.item, index)), cx.format(),
                               f"CX.5 one of {value_set.name}: " + ", ".join(codes),
                               nearest=nearest)


# ---- whole-message checks ----------------------------------------------------------------

def _patient_id_match(rule: Rule, ctx: Context) -> Iterator[Finding]:
    ss = ctx.metadata.submission_set
    if ss is None or ss.patient_id is None:
        return
    expected = ss.patient_id.format()
    others: list[tuple[str, str, Cx | None]] = [
        ("DocumentEntry", d.entry_uuid, d.patient_id) for d in ctx.metadata.documents]
    others += [("Folder", f.entry_uuid, f.patient_id) for f in ctx.metadata.folders]
    for carrier, object_id, patient in others:
        if patient is not None and patient.format() != expected:
            yield _finding(rule, ctx.at(m.location(carrier, object_id, "patientId")),
                           patient.format(), f"the submission set's patientId {expected}")


def _same_institution(rule: Rule, ctx: Context) -> Iterator[Finding]:
    ss = ctx.metadata.submission_set
    if ss is None:
        return
    expected = {x.format() for a in ss.authors for x in a.institutions}
    if not expected:
        return
    for document in ctx.metadata.documents:
        for n, author in enumerate(document.authors, 1):
            got = {x.format() for x in author.institutions}
            if got and got != expected:
                where = m.location("DocumentEntry", document.entry_uuid, "authorInstitution",
                                   author_index=n)
                yield _finding(rule, ctx.at(where), "; ".join(sorted(got)),
                               "the submission set's authorInstitution: "
                               + "; ".join(sorted(expected)))


def _unique_ids_distinct(rule: Rule, ctx: Context) -> Iterator[Finding]:
    meta = ctx.metadata
    owners: list[tuple[str, str, str]] = [("DocumentEntry", d.entry_uuid, d.unique_id)
                                          for d in meta.documents if d.unique_id]
    if meta.submission_set and meta.submission_set.unique_id:
        owners.append(("SubmissionSet", meta.submission_set.entry_uuid,
                       meta.submission_set.unique_id))
    owners += [("Folder", f.entry_uuid, f.unique_id) for f in meta.folders if f.unique_id]
    counts = Counter(u for _, _, u in owners)
    for carrier, object_id, unique in owners:
        if counts[unique] > 1:
            yield _finding(rule, ctx.at(m.location(carrier, object_id, "uniqueId")), unique,
                           "a uniqueId used by no other object of the message")


def _is(association_type: str, expected: str) -> bool:
    return m.full_association_type(association_type) == expected


def _has_member(rule: Rule, ctx: Context) -> Iterator[Finding]:
    ss = ctx.metadata.submission_set
    if not ctx.submission or ss is None:
        return
    links = {a.target: a for a in ctx.metadata.associations
             if _is(a.association_type, m.HAS_MEMBER) and a.source == ss.entry_uuid}
    for document in ctx.metadata.documents:
        link = links.get(document.entry_uuid)
        if link is None:
            yield _finding(rule, ctx.at(m.location("DocumentEntry", document.entry_uuid)), None,
                           f"a HasMember association from {ss.entry_uuid} to "
                           f"{document.entry_uuid}")
        elif link.submission_set_status not in ("Original", "Reference"):
            yield _finding(rule, ctx.at(m.location("Association", link.entry_uuid,
                                                   "SubmissionSetStatus")),
                           link.submission_set_status, "Original (or Reference)")


def _association_type(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for association in ctx.metadata.associations:
        if m.full_association_type(association.association_type) not in m.ASSOCIATION_TYPES:
            yield _finding(rule, ctx.at(m.location("Association", association.entry_uuid,
                                                   "associationType")),
                           association.association_type,
                           "an IHE association type URN: " + ", ".join(sorted(
                               t.rsplit(":", 1)[1] for t in m.ASSOCIATION_TYPES)))


def _association_resolves(rule: Rule, ctx: Context) -> Iterator[Finding]:
    if not ctx.submission:
        return
    ids = ctx.metadata.object_ids()
    for association in ctx.metadata.associations:
        for item, reference in (("sourceObject", association.source),
                                ("targetObject", association.target)):
            if reference not in ids and not _UUID_URN.match(reference):
                yield _finding(rule, ctx.at(m.location("Association", association.entry_uuid,
                                                       item)), reference,
                               "the id of an object of this message, or a urn:uuid entryUUID")


def _rplc_target(rule: Rule, ctx: Context) -> Iterator[Finding]:
    documents = {d.entry_uuid for d in ctx.metadata.documents}
    for association in ctx.metadata.associations:
        if not (_is(association.association_type, m.RPLC)
                or _is(association.association_type, m.XFRM_RPLC)):
            continue
        if not _UUID_URN.match(association.target) or association.target in documents:
            yield _finding(rule, ctx.at(m.location("Association", association.entry_uuid,
                                                   "targetObject")), association.target,
                           "the entryUUID (urn:uuid:…) of the registered document replaced")
        if association.source not in documents:
            yield _finding(rule, ctx.at(m.location("Association", association.entry_uuid,
                                                   "sourceObject")), association.source,
                           "the id of the new DocumentEntry of this submission")


def _update_status(rule: Rule, ctx: Context) -> Iterator[Finding]:
    value_set = registry.for_metadata(str(rule.params["binding"]))
    codes = [c.code for c in value_set.concepts]
    for association in ctx.metadata.associations:
        if not _is(association.association_type, m.UPDATE_AVAILABILITY_STATUS):
            continue
        for item, value in (("OriginalStatus", association.original_status),
                            ("NewStatus", association.new_status)):
            if value not in codes:
                yield _finding(rule, ctx.at(m.location("Association", association.entry_uuid,
                                                       item)), value,
                               f"a status of {value_set.name}: " + ", ".join(codes))


def _signed_submission(rule: Rule, ctx: Context) -> Iterator[Finding]:
    ss = ctx.metadata.submission_set
    if ctx.documents is None or ss is None:
        return  # only an ITI-41 (TD2.x feed) must carry the lot signature
    signature_format = str(rule.params["format_code"])
    signatures = {d.entry_uuid for d in ctx.metadata.documents
                  if d.format_code is not None and d.format_code.code == signature_format}
    signed = any(_is(a.association_type, m.SIGNS) and a.source in signatures
                 and a.target == ss.entry_uuid for a in ctx.metadata.associations)
    if not signed:
        found = ", ".join(sorted(signatures)) or "no signature entry"
        yield _finding(rule, ctx.at(m.location("SubmissionSet", ss.entry_uuid)), found,
                       f"a DocumentEntry with formatCode {signature_format} and a signs "
                       f"association from it to {ss.entry_uuid}")


def _document_present(rule: Rule, ctx: Context) -> Iterator[Finding]:
    if ctx.documents is None:
        return
    for document in ctx.metadata.documents:
        if document.entry_uuid not in ctx.documents:
            yield _finding(rule, ctx.at(m.location("DocumentEntry", document.entry_uuid)),
                           None, f"an xdsb:Document with id {document.entry_uuid}")


def _document_metadata_present(rule: Rule, ctx: Context) -> Iterator[Finding]:
    if ctx.documents is None:
        return
    ids = {d.entry_uuid for d in ctx.metadata.documents}
    for document_id in ctx.documents:
        if document_id not in ids:
            yield _finding(rule, ctx.at(f"../../xdsb:Document[@id='{document_id}']"),
                           document_id, "the id of a DocumentEntry of the submission")


def _decodable(rule: Rule, ctx: Context) -> Iterator[Finding]:
    if ctx.submission and ctx.metadata.submission_set is None:
        yield _finding(rule, ctx.at("rim:RegistryPackage"), None,
                       "one RegistryPackage classified as XDSSubmissionSet",
                       hint="a submission holds exactly one submission set")
    for problem in ctx.problems:
        if (problem.carrier, problem.object_id, problem.item) in ctx.claimed:
            continue
        severity = Severity.WARNING if problem.kind == "structure" else None
        carrier = problem.carrier
        if carrier == "Author":  # the author's object: the submission set or a document
            ss = ctx.metadata.submission_set
            carrier = "SubmissionSet" if ss and ss.entry_uuid == problem.object_id \
                else "DocumentEntry"
        where = m.location(carrier, problem.object_id, problem.item)
        yield _finding(rule, ctx.at(where), problem.value, problem.message, severity=severity)


Check = Callable[[Rule, Context], Iterator[Finding]]
#: check name (as in the rules file) → function. ``decodable`` must run last.
CHECKS: dict[str, Check] = {
    "cardinality": _cardinality,
    "format": _format,
    "valueset": _valueset,
    "derived": _derived,
    "coded": _coded,
    "time_order": _time_order,
    "enum": _enum,
    "hash_matches": _hash_matches,
    "size_matches": _size_matches,
    "reference_id_type": _reference_id_type,
    "patient_id_match": _patient_id_match,
    "same_institution": _same_institution,
    "unique_ids_distinct": _unique_ids_distinct,
    "has_member": _has_member,
    "association_type": _association_type,
    "association_resolves": _association_resolves,
    "rplc_target": _rplc_target,
    "update_status": _update_status,
    "signed_submission": _signed_submission,
    "document_present": _document_present,
    "document_metadata_present": _document_metadata_present,
    "decodable": _decodable,
}
