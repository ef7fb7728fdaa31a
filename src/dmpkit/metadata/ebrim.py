"""Model ↔ ebRIM 3.0, both ways, driven by the table of :mod:`dmpkit.metadata.ebrim_map`.

Decoding walks the lxml tree once per object with precomputed lookups (no XPath, no
generated classes): it is the fast path used for ITI-18 responses as well as ITI-41/57
requests. It is lenient: what cannot be typed is reported as a :class:`DecodeProblem`, and
the validator turns those into findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from dmpkit.errors import DmpkitError
from dmpkit.identifiers.hl7v2 import Cwe, Cx, Hl7v2FormatError, Xcn, Xon
from dmpkit.metadata import ebrim_map as m
from dmpkit.metadata.model import (
    Association,
    Author,
    CodedValue,
    DocumentEntry,
    Folder,
    SubmissionSet,
    XdsMetadata,
)
from dmpkit.namespaces import LCM, QUERY, RIM, RS, XDSB

__all__ = [
    "DecodeProblem",
    "Decoded",
    "MetadataDecodeError",
    "decode",
    "encode",
    "find_registry_object_list",
    "to_provide_and_register",
    "to_submit_objects_request",
]

_R = "{" + RIM + "}"
_SLOT, _VALUE_LIST, _VALUE = _R + "Slot", _R + "ValueList", _R + "Value"
_NAME, _DESCRIPTION, _LOCALIZED = _R + "Name", _R + "Description", _R + "LocalizedString"
_VERSION_INFO, _CLASSIFICATION = _R + "VersionInfo", _R + "Classification"
_EXTERNAL_IDENTIFIER = _R + "ExternalIdentifier"
_EXTRINSIC, _PACKAGE, _ASSOCIATION = _R + "ExtrinsicObject", _R + "RegistryPackage", \
    _R + "Association"
_OBJECT_REF, _REGISTRY_OBJECT_LIST = _R + "ObjectRef", _R + "RegistryObjectList"
_NSMAP = {"rim": RIM}


class MetadataDecodeError(DmpkitError, ValueError):
    """The element holds no ebRIM RegistryObjectList, or strict decoding met a problem."""


@dataclass(frozen=True, slots=True)
class DecodeProblem:
    """A value the decoder could not put into the model.

    Attributes:
        carrier: ``DocumentEntry``, ``SubmissionSet``, ``Folder``, ``Association`` or ``Author``.
        object_id: the id of the object holding it.
        item: the metadata item.
        value: the text received.
        message: what is wrong.
        kind: ``format`` (cannot be typed), ``duplicate`` (single-valued item given twice)
            or ``structure`` (e.g. an unclassified RegistryPackage).
    """

    carrier: str
    object_id: str
    item: str
    value: str | None
    message: str
    kind: str = "format"


@dataclass(slots=True)
class Decoded:
    """The decoded metadata and the problems met."""

    metadata: XdsMetadata
    problems: list[DecodeProblem] = field(default_factory=list)


# ---- decoding -------------------------------------------------------------------------------

def _lookup(carrier: str, kinds: tuple[m.Kind, ...]) -> dict[str, m.Row]:
    return {r.key: r for r in m.ROWS if r.carrier == carrier and r.kind in kinds}


_SLOTS = {c: _lookup(c, (m.Kind.SLOT,)) for c in
          ("DocumentEntry", "SubmissionSet", "Folder", "Association", "Author")}
_SCHEMES = {c: _lookup(c, (m.Kind.CLASSIFICATION, m.Kind.AUTHOR, m.Kind.EXTERNAL_IDENTIFIER))
            for c in ("DocumentEntry", "SubmissionSet", "Folder")}
_ATTRIBUTES = {c: tuple(r for r in m.ROWS if r.carrier == c and r.kind is m.Kind.ATTRIBUTE)
               for c in ("DocumentEntry", "SubmissionSet", "Folder", "Association")}
_PARSERS: dict[m.Codec, Callable[[str], Any]] = {
    m.Codec.TEXT: str, m.Codec.INT: int, m.Codec.CX: Cx.parse, m.Codec.XCN: Xcn.parse,
    m.Codec.XON: Xon.parse, m.Codec.CWE: Cwe.parse,
}


class _Walker:
    """One decoding run: collects problems while filling model objects."""

    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[DecodeProblem] = []

    def _typed(self, row: m.Row, text: str, object_id: str) -> Any:
        if row.codec is m.Codec.TEXT:
            return text
        try:
            return _PARSERS[row.codec](text)
        except (Hl7v2FormatError, ValueError) as error:
            self.problems.append(DecodeProblem(row.carrier, object_id, row.item, text,
                                               f"not a valid {row.codec.value}: {error}"))
            return None

    def _set(self, target: Any, row: m.Row, values: list[str], object_id: str) -> None:
        if row.multiple:
            bucket = getattr(target, row.field)
            for text in values:
                typed = self._typed(row, text, object_id)
                if typed is not None:
                    bucket.append(typed)
            return
        if not values:
            self.problems.append(DecodeProblem(row.carrier, object_id, row.item, "",
                                               f"{row.item} has an empty ValueList"))
            return
        already = getattr(target, row.field) not in (None, "")
        if len(values) > 1 or already:
            self.problems.append(DecodeProblem(
                row.carrier, object_id, row.item, "|".join(values),
                f"{row.item} takes one value, got {len(values) + already}", "duplicate"))
            if already:
                return
        setattr(target, row.field, self._typed(row, values[0], object_id))

    def _slots(self, target: Any, slot: etree._Element, carrier: str, object_id: str) -> None:
        name = slot.get("name", "")
        values = [v.text or "" for v in slot.iter(_VALUE)]
        found = _SLOTS[carrier].get(name)
        if found is None:
            target.extra_slots.setdefault(name, []).extend(values)
        else:
            self._set(target, found, values, object_id)

    def _common(self, target: Any, element: etree._Element, carrier: str, object_id: str,
                ) -> Iterator[etree._Element]:
        """Fill attributes, slots, Name, Description, VersionInfo; yield the other children."""
        for attribute in _ATTRIBUTES[carrier]:
            value = element.get(attribute.key)
            if value is not None:
                setattr(target, attribute.field, value)
        for child in element:
            tag = child.tag
            if tag == _SLOT:
                self._slots(target, child, carrier, object_id)
            elif tag == _NAME:
                target.title = _localized(child)
            elif tag == _DESCRIPTION:
                target.comments = _localized(child)
            elif tag == _VERSION_INFO:
                target.version = child.get("versionName")
            else:
                yield child

    def _coded(self, classification: etree._Element) -> CodedValue:
        scheme = ""
        display = ""
        for child in classification:
            if child.tag == _SLOT and child.get("name") == "codingScheme":
                scheme = next((v.text or "" for v in child.iter(_VALUE)), "")
            elif child.tag == _NAME:
                display = _localized(child) or ""
        return CodedValue(classification.get("nodeRepresentation", ""), scheme, display)

    def _author(self, classification: etree._Element, object_id: str) -> Author:
        author = Author()
        for child in classification:
            if child.tag == _SLOT:
                name = child.get("name", "")
                found = _SLOTS["Author"].get(name)
                if found is not None:
                    self._set(author, found, [v.text or "" for v in child.iter(_VALUE)],
                              object_id)
        return author

    def _classified(self, target: Any, children: Iterator[etree._Element], carrier: str,
                    object_id: str) -> str | None:
        """Fill classifications and external identifiers; return a classificationNode seen."""
        node = None
        schemes = _SCHEMES[carrier]
        for child in children:
            if child.tag == _CLASSIFICATION:
                scheme = child.get("classificationScheme")
                if scheme is None:
                    node = child.get("classificationNode") or node
                    continue
                found = schemes.get(scheme)
                if found is None:
                    self.problems.append(DecodeProblem(carrier, object_id, "Classification",
                                                       scheme, "unknown classification scheme",
                                                       "structure"))
                elif found.kind is m.Kind.AUTHOR:
                    target.authors.append(self._author(child, object_id))
                elif found.multiple:
                    getattr(target, found.field).append(self._coded(child))
                elif getattr(target, found.field) is not None:
                    self.problems.append(DecodeProblem(
                        carrier, object_id, found.item, child.get("nodeRepresentation"),
                        f"{found.item} takes one value, given twice", "duplicate"))
                else:
                    setattr(target, found.field, self._coded(child))
            elif child.tag == _EXTERNAL_IDENTIFIER:
                found = schemes.get(child.get("identificationScheme", ""))
                if found is None:
                    self.problems.append(DecodeProblem(
                        carrier, object_id, "ExternalIdentifier",
                        child.get("identificationScheme"), "unknown identification scheme",
                        "structure"))
                else:
                    self._set(target, found, [child.get("value", "")], object_id)
        return node

    def document(self, element: etree._Element) -> DocumentEntry:
        entry = DocumentEntry(entry_uuid="", object_type="")
        object_id = element.get("id", "")
        self._classified(entry, self._common(entry, element, "DocumentEntry", object_id),
                         "DocumentEntry", object_id)
        return entry

    def package(self, element: etree._Element, nodes: Mapping[str, str]
                ) -> SubmissionSet | Folder | None:
        object_id = element.get("id", "")
        node = nodes.get(object_id)
        if node is None:
            node = next((c.get("classificationNode") for c in element.iterchildren(
                _CLASSIFICATION) if c.get("classificationNode")), None)
        if node is None:
            # No classification node: tell by the uniqueId scheme it uses.
            schemes = {e.get("identificationScheme") for e in element.iterchildren(
                _EXTERNAL_IDENTIFIER)}
            node = m.FOLDER_NODE if m.FOLDER_UNIQUE_ID in schemes else (
                m.SUBMISSION_SET_NODE if m.SS_UNIQUE_ID in schemes else None)
        if node == m.SUBMISSION_SET_NODE:
            package: SubmissionSet | Folder = SubmissionSet(entry_uuid="")
            carrier = "SubmissionSet"
        elif node == m.FOLDER_NODE:
            package = Folder(entry_uuid="")
            carrier = "Folder"
        else:
            self.problems.append(DecodeProblem("RegistryPackage", object_id, "classificationNode",
                                               node, "RegistryPackage is neither a submission "
                                               "set nor a folder", "structure"))
            return None
        self._classified(package, self._common(package, element, carrier, object_id),
                         carrier, object_id)
        return package

    def association(self, element: etree._Element) -> Association:
        association = Association(entry_uuid="", association_type="")
        for _ in self._common(association, element, "Association", element.get("id", "")):
            pass
        association.association_type = m.full_association_type(association.association_type)
        return association


def _localized(element: etree._Element) -> str | None:
    for child in element:
        if child.tag == _LOCALIZED:
            return child.get("value")
    return None


def find_registry_object_list(element: etree._Element) -> etree._Element:
    """The ``rim:RegistryObjectList`` in or under ``element`` (a request, response or the list).

    Raises:
        MetadataDecodeError: there is none.
    """
    if element.tag == _REGISTRY_OBJECT_LIST:
        return element
    for child in element:
        if child.tag == _REGISTRY_OBJECT_LIST:
            return child
    for child in element:
        if isinstance(child.tag, str) and child.tag.endswith("}SubmitObjectsRequest"):
            return find_registry_object_list(child)
    raise MetadataDecodeError(
        f"{etree.QName(element).localname} holds no rim:RegistryObjectList: expected a "
        "SubmitObjectsRequest, ProvideAndRegisterDocumentSetRequest or AdhocQueryResponse")


def decode(element: etree._Element, *, strict: bool = False) -> Decoded:
    """Decode the registry objects of a message into the model.

    Args:
        element: a ``rim:RegistryObjectList`` or any element holding one
            (``lcm:SubmitObjectsRequest``, ``xdsb:ProvideAndRegisterDocumentSetRequest``,
            ``query:AdhocQueryResponse``).
        strict: raise on the first problem instead of collecting them.

    Returns:
        The metadata and the problems met.

    Raises:
        MetadataDecodeError: no RegistryObjectList, or a problem when ``strict``.
    """
    objects = find_registry_object_list(element)
    walker = _Walker()
    metadata = XdsMetadata()
    nodes: dict[str, str] = {}
    packages: list[etree._Element] = []
    for child in objects:
        tag = child.tag
        if tag == _EXTRINSIC:
            metadata.documents.append(walker.document(child))
        elif tag == _ASSOCIATION:
            metadata.associations.append(walker.association(child))
        elif tag == _PACKAGE:
            packages.append(child)
        elif tag == _CLASSIFICATION:
            node = child.get("classificationNode")
            if node:
                nodes[child.get("classifiedObject", "")] = node
        elif tag == _OBJECT_REF:
            metadata.object_refs.append(child.get("id", ""))
    for element_ in packages:
        package = walker.package(element_, nodes)
        if isinstance(package, SubmissionSet):
            if metadata.submission_set is not None:
                walker.problems.append(DecodeProblem(
                    "SubmissionSet", package.entry_uuid, "SubmissionSet", package.entry_uuid,
                    "a message holds one submission set, found a second", "duplicate"))
            else:
                metadata.submission_set = package
        elif isinstance(package, Folder):
            metadata.folders.append(package)
    if strict and walker.problems:
        first = walker.problems[0]
        raise MetadataDecodeError(f"{first.carrier}[{first.object_id}].{first.item}: "
                                  f"{first.message} ({first.value!r})")
    return Decoded(metadata, walker.problems)


# ---- encoding -------------------------------------------------------------------------------

class _Writer:
    """One encoding run: numbers the Classification and ExternalIdentifier ids."""

    def __init__(self) -> None:
        self.classifications = 0
        self.identifiers = 0

    def _classification_id(self) -> str:
        self.classifications += 1
        return f"cl{self.classifications:02d}"

    def _slot(self, parent: etree._Element, name: str, values: list[str]) -> None:
        slot = etree.SubElement(parent, _SLOT, name=name)
        value_list = etree.SubElement(slot, _VALUE_LIST)
        for text in values:
            etree.SubElement(value_list, _VALUE).text = text

    @staticmethod
    def _text(row: m.Row, value: Any) -> str:
        if row.codec in (m.Codec.CX, m.Codec.XCN, m.Codec.XON, m.Codec.CWE):
            return str(value.format())
        return str(value)

    @staticmethod
    def _localized(parent: etree._Element, tag: str, value: str) -> None:
        etree.SubElement(etree.SubElement(parent, tag), _LOCALIZED, value=value)

    def _coded(self, parent: etree._Element, scheme: str, object_id: str,
               coded: CodedValue) -> None:
        element = etree.SubElement(parent, _CLASSIFICATION, id=self._classification_id(),
                                   classificationScheme=scheme, classifiedObject=object_id,
                                   nodeRepresentation=coded.code)
        self._slot(element, "codingScheme", [coded.scheme])
        if coded.display:
            self._localized(element, _NAME, coded.display)

    def _author(self, parent: etree._Element, scheme: str, object_id: str,
                author: Author) -> None:
        element = etree.SubElement(parent, _CLASSIFICATION, id=self._classification_id(),
                                   classificationScheme=scheme, classifiedObject=object_id,
                                   nodeRepresentation="")
        for row in m.rows_of("Author"):
            value = getattr(author, row.field)
            values = value if row.multiple else ([] if value is None else [value])
            if values:
                self._slot(element, row.key, [self._text(row, v) for v in values])

    def object(self, parent: etree._Element, tag: str, carrier: str, target: Any
               ) -> etree._Element:
        rows = m.rows_of(carrier)
        object_id = target.entry_uuid
        element = etree.SubElement(parent, tag)
        for row in rows:
            if row.kind is m.Kind.ATTRIBUTE:
                value = getattr(target, row.field)
                if value:
                    element.set(row.key, value)
        for row in rows:
            if row.kind is m.Kind.SLOT:
                value = getattr(target, row.field)
                values = value if row.multiple else ([] if value is None else [value])
                if values:
                    self._slot(element, row.key, [self._text(row, v) for v in values])
        for name, values in target.extra_slots.items():
            self._slot(element, name, list(values))
        if carrier == "Association":
            return element
        if target.title is not None:
            self._localized(element, _NAME, target.title)
        if target.comments is not None:
            self._localized(element, _DESCRIPTION, target.comments)
        if carrier == "DocumentEntry" and target.version is not None:
            etree.SubElement(element, _VERSION_INFO, versionName=target.version)
        for row in rows:
            if row.kind is m.Kind.AUTHOR:
                for author in target.authors:
                    self._author(element, row.key, object_id, author)
            elif row.kind is m.Kind.CLASSIFICATION:
                value = getattr(target, row.field)
                for coded in (value if row.multiple else ([] if value is None else [value])):
                    self._coded(element, row.key, object_id, coded)
        for row in rows:
            if row.kind is m.Kind.EXTERNAL_IDENTIFIER:
                value = getattr(target, row.field)
                if value is None:
                    continue
                self.identifiers += 1
                identifier = etree.SubElement(
                    element, _EXTERNAL_IDENTIFIER, id=f"ei{self.identifiers:02d}",
                    registryObject=object_id, identificationScheme=row.key,
                    value=self._text(row, value))
                self._localized(identifier, _NAME, row.ebrim_name)
        return element

    def node(self, parent: etree._Element, object_id: str, node: str) -> None:
        etree.SubElement(parent, _CLASSIFICATION, id=self._classification_id(),
                         classifiedObject=object_id, classificationNode=node)


def encode(metadata: XdsMetadata) -> etree._Element:
    """The ``rim:RegistryObjectList`` of ``metadata``.

    Objects are written documents first, then the submission set, folders and associations,
    as IHE samples do; ObjectRefs last.
    """
    writer = _Writer()
    root = etree.Element(_REGISTRY_OBJECT_LIST, nsmap=_NSMAP)
    for document in metadata.documents:
        writer.object(root, _EXTRINSIC, "DocumentEntry", document)
    if metadata.submission_set is not None:
        writer.object(root, _PACKAGE, "SubmissionSet", metadata.submission_set)
        writer.node(root, metadata.submission_set.entry_uuid, m.SUBMISSION_SET_NODE)
    for folder in metadata.folders:
        writer.object(root, _PACKAGE, "Folder", folder)
        writer.node(root, folder.entry_uuid, m.FOLDER_NODE)
    for association in metadata.associations:
        writer.object(root, _ASSOCIATION, "Association", association)
    for reference in metadata.object_refs:
        etree.SubElement(root, _OBJECT_REF, id=reference)
    return root


def to_submit_objects_request(metadata: XdsMetadata) -> etree._Element:
    """An ``lcm:SubmitObjectsRequest`` (ITI-42 / ITI-57 body) holding ``metadata``."""
    request = etree.Element("{" + LCM + "}SubmitObjectsRequest",
                            nsmap={"lcm": LCM, "rim": RIM})
    request.append(encode(metadata))
    return request


def to_provide_and_register(metadata: XdsMetadata,
                            documents: Mapping[str, bytes]) -> etree._Element:
    """An ``xdsb:ProvideAndRegisterDocumentSetRequest`` (ITI-41) with the documents inline.

    Args:
        metadata: the submission.
        documents: document bytes keyed by DocumentEntry id (base64 is written; MTOM
            optimisation is the transport's job).
    """
    import base64

    request = etree.Element("{" + XDSB + "}ProvideAndRegisterDocumentSetRequest",
                            nsmap={"xdsb": XDSB, "lcm": LCM, "rim": RIM, "rs": RS,
                                   "query": QUERY})
    request.append(to_submit_objects_request(metadata))
    for entry_id, content in documents.items():
        element = etree.SubElement(request, "{" + XDSB + "}Document", id=entry_id)
        element.text = base64.b64encode(content).decode("ascii")
    return request
