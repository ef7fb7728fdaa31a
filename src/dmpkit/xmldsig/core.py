"""Build, finish and verify ``ds:Signature`` elements with same-document references."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from dmpkit.errors import DmpkitError
from dmpkit.namespaces import DS, WSU
from dmpkit.xmldsig.algorithms import (
    C14N_10,
    CANONICALIZATIONS,
    DIGEST_SHA256,
    DIGESTS,
    ENVELOPED,
    SIGNATURE_DIGESTS,
    AlgorithmPolicy,
)
from dmpkit.xmldsig.c14n import canonicalize

__all__ = [
    "ReferenceForensics",
    "ReferenceSpec",
    "SignatureError",
    "SignatureForensics",
    "build_signature",
    "digest",
    "element_id",
    "find_by_id",
    "finish_signature",
    "verify_signature",
]

_EC = "http://www.w3.org/2001/10/xml-exc-c14n#"
_INCLUSIVE = f"{{{_EC}}}InclusiveNamespaces"
_ID_ATTRIBUTES = ("ID", "Id", "id", f"{{{WSU}}}Id")
_FIND_ID = etree.XPath(
    "//*[@ID=$id or @Id=$id or @id=$id or @wsu:Id=$id]", namespaces={"wsu": WSU}
)

Resolver = Callable[[str], etree._Element]
_HASHLIB: dict[type[hashes.HashAlgorithm], Callable[[bytes], Any]] = {
    hashes.SHA256: hashlib.sha256,
    hashes.SHA1: hashlib.sha1,
}
_TRANSFORMS = f"{{{DS}}}Transforms"
_TRANSFORM = f"{{{DS}}}Transform"
_REFERENCE = f"{{{DS}}}Reference"


def _ds(name: str) -> str:
    return f"{{{DS}}}{name}"


def _first(parent: etree._Element, tag: str) -> etree._Element | None:
    """The first child named ``tag`` (a plain loop: a tag matcher costs more on a few children)."""
    for child in parent:
        if child.tag == tag:
            return child
    return None


def _first_children(parent: etree._Element) -> dict[str, etree._Element]:
    """The first child element of each name, in one pass (one tag matcher per lookup costs more)."""
    found: dict[str, etree._Element] = {}
    for child in parent:
        tag = child.tag
        if isinstance(tag, str) and tag not in found:
            found[tag] = child
    return found


@dataclass(frozen=True, slots=True)
class ReferenceForensics:
    """What a verifier computed for one ``ds:Reference``."""

    uri: str
    transforms: tuple[str, ...]
    digest_method: str
    expected_digest: str
    computed_digest: str | None = None
    digest_input: bytes | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (digest input as UTF-8 text)."""
        return {
            "uri": self.uri,
            "transforms": list(self.transforms),
            "digest_method": self.digest_method,
            "expected_digest": self.expected_digest,
            "computed_digest": self.computed_digest,
            "digest_input": None if self.digest_input is None
            else self.digest_input.decode("utf-8", "replace"),
        }


@dataclass(frozen=True, slots=True)
class SignatureForensics:
    """The canonical SignedInfo and every reference's digest inputs, for signature forensics."""

    canonicalization: str
    signature_method: str
    canonical_signed_info: bytes
    references: tuple[ReferenceForensics, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "canonicalization": self.canonicalization,
            "signature_method": self.signature_method,
            "canonical_signed_info": self.canonical_signed_info.decode("utf-8", "replace"),
            "references": [reference.to_dict() for reference in self.references],
        }


class SignatureError(DmpkitError):
    """A signature is malformed, uses a refused algorithm, or does not verify.

    Attributes:
        reason: machine-readable code (``algorithm_not_allowed``, ``digest_mismatch``,
            ``bad_signature_value``, ``reference_not_found``, ``duplicate_id``,
            ``unsupported_transform``, ``malformed_signature``).
        forensics: what was computed, when the failure came after canonicalization.
    """

    def __init__(
        self, reason: str, message: str, forensics: SignatureForensics | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.forensics = forensics


@dataclass(frozen=True, slots=True)
class ReferenceSpec:
    """A reference to create: URI, transforms (algorithm, InclusiveNamespaces prefixes), digest."""

    uri: str
    transforms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    digest_method: str = DIGEST_SHA256
    type: str | None = None


def element_id(element: etree._Element) -> str | None:
    """The ID of an element, whichever ID attribute name it uses."""
    for name in _ID_ATTRIBUTES:
        value = element.get(name)
        if value is not None:
            return value
    return None


def find_by_id(document: etree._Element, identifier: str) -> etree._Element:
    """The one element of ``document`` whose ID is ``identifier``.

    Raises:
        SignatureError: ``reference_not_found`` or ``duplicate_id`` (a wrapping attack sign).
    """
    found = _FIND_ID(document, id=identifier)
    assert isinstance(found, list)
    if not found:
        raise SignatureError("reference_not_found", f"no element has the ID {identifier!r}")
    if len(found) > 1:
        raise SignatureError(
            "duplicate_id", f"{len(found)} elements share the ID {identifier!r}: refused"
        )
    element = found[0]
    assert isinstance(element, etree._Element)
    return element


def _same_document_resolver(signature: etree._Element) -> Resolver:
    def resolve(uri: str) -> etree._Element:
        if not uri.startswith("#") or len(uri) < 2:
            raise SignatureError(
                "reference_not_found", f"only same-document references are supported, got {uri!r}"
            )
        return find_by_id(signature.getroottree().getroot(), uri[1:])

    return resolve


def digest(data: bytes, method: str) -> bytes:
    """The digest of ``data`` by an XML-DSig DigestMethod URI."""
    algorithm = DIGESTS.get(method)
    if algorithm is None:
        raise SignatureError("algorithm_not_allowed", f"unsupported digest method {method!r}")
    # hashlib's direct constructors: no Hash context object, no algorithm fetch by name
    constructor = _HASHLIB.get(algorithm)
    if constructor is None:
        return hashlib.new(algorithm().name, data).digest()
    value: bytes = constructor(data).digest()
    return value


class _Detached:
    """Take the signature out of its tree (enveloped-signature transform), then put it back."""

    def __init__(self, signature: etree._Element) -> None:
        self.signature = signature
        self.parent = signature.getparent()
        self.tail = signature.tail
        self.previous = signature.getprevious()

    def __enter__(self) -> None:
        if self.parent is None:
            return
        self.index = self.parent.index(self.signature)
        # the whitespace after the signature is not part of it: keep it in the tree
        if self.previous is not None:
            self.saved_text = self.previous.tail
            self.previous.tail = (self.previous.tail or "") + (self.tail or "")
        else:
            self.saved_text = self.parent.text
            self.parent.text = (self.parent.text or "") + (self.tail or "")
        self.signature.tail = None
        self.parent.remove(self.signature)

    def __exit__(self, *exc: object) -> None:
        if self.parent is None:
            return
        if self.previous is not None:
            self.previous.tail = self.saved_text
        else:
            self.parent.text = self.saved_text
        self.parent.insert(self.index, self.signature)
        self.signature.tail = self.tail


def _prefixes(method: etree._Element) -> tuple[str, ...]:
    if not len(method):  # the usual case: no InclusiveNamespaces child to look for
        return ()
    prefixes_el = _first(method, _INCLUSIVE)
    prefix_list = prefixes_el.get("PrefixList") if prefixes_el is not None else None
    return tuple((prefix_list or "").split())


def _transforms(
    reference: etree._Element, transforms: etree._Element | None = None
) -> list[tuple[str, tuple[str, ...]]]:
    if transforms is None:
        transforms = _first(reference, _TRANSFORMS)
    if transforms is None:
        return []
    return [(transform.get("Algorithm") or "", _prefixes(transform))
            for transform in transforms if transform.tag == _TRANSFORM]


def _digest_input(
    target: etree._Element,
    transforms: Sequence[tuple[str, tuple[str, ...]]],
    signature: etree._Element,
    policy: AlgorithmPolicy | None,
) -> bytes:
    enveloped = False
    c14n: tuple[str, tuple[str, ...]] = (C14N_10, ())
    for algorithm, prefixes in transforms:
        if algorithm == ENVELOPED:
            enveloped = True
        elif algorithm in CANONICALIZATIONS:
            if policy is not None and not policy.accepts_c14n(algorithm):
                raise SignatureError(
                    "algorithm_not_allowed", f"canonicalization {algorithm} is not allowed"
                )
            c14n = (algorithm, prefixes)
        else:
            raise SignatureError("unsupported_transform", f"transform {algorithm!r} refused")
    if enveloped:
        if not any(ancestor is target for ancestor in signature.iterancestors()):
            raise SignatureError(
                "malformed_signature", "enveloped-signature transform on a non-enveloping element"
            )
        with _Detached(signature):
            return canonicalize(target, *c14n)
    return canonicalize(target, *c14n)


def build_signature(
    references: Sequence[ReferenceSpec],
    *,
    certificate: x509.Certificate,
    canonicalization: str,
    signature_method: str,
    signature_id: str | None = None,
) -> etree._Element:
    """A ``ds:Signature`` skeleton with empty digests, ready for :func:`finish_signature`.

    Insert it (and any ``ds:Object`` it needs) at its final place before finishing it.
    """
    signature = etree.Element(_ds("Signature"), nsmap={"ds": DS})
    if signature_id:
        signature.set("Id", signature_id)
    signed_info = etree.SubElement(signature, _ds("SignedInfo"))
    etree.SubElement(signed_info, _ds("CanonicalizationMethod"), Algorithm=canonicalization)
    etree.SubElement(signed_info, _ds("SignatureMethod"), Algorithm=signature_method)
    for spec in references:
        reference = etree.SubElement(signed_info, _ds("Reference"), URI=spec.uri)
        if spec.type:
            reference.set("Type", spec.type)
        if spec.transforms:
            transforms = etree.SubElement(reference, _ds("Transforms"))
            for algorithm, prefixes in spec.transforms:
                transform = etree.SubElement(transforms, _ds("Transform"), Algorithm=algorithm)
                if prefixes:
                    etree.SubElement(transform, f"{{{_EC}}}InclusiveNamespaces",
                                     nsmap={"ec": _EC}, PrefixList=" ".join(prefixes))
        etree.SubElement(reference, _ds("DigestMethod"), Algorithm=spec.digest_method)
        etree.SubElement(reference, _ds("DigestValue"))
    etree.SubElement(signature, _ds("SignatureValue"))
    key_info = etree.SubElement(signature, _ds("KeyInfo"))
    x509_data = etree.SubElement(key_info, _ds("X509Data"))
    der = certificate.public_bytes(serialization.Encoding.DER)
    etree.SubElement(x509_data, _ds("X509Certificate")).text = base64.b64encode(der).decode("ascii")
    return signature


def finish_signature(
    signature: etree._Element, key: rsa.RSAPrivateKey, resolver: Resolver | None = None
) -> None:
    """Compute every DigestValue, then the SignatureValue, in place."""
    resolve = resolver or _same_document_resolver(signature)
    signed_info = signature.find(_ds("SignedInfo"))
    assert signed_info is not None
    for reference in signed_info.iterfind(_ds("Reference")):
        data = _digest_input(resolve(reference.get("URI") or ""), _transforms(reference), signature,
                             None)
        method = reference.find(_ds("DigestMethod"))
        value = reference.find(_ds("DigestValue"))
        assert method is not None and value is not None
        value.text = base64.b64encode(digest(data, method.get("Algorithm") or "")).decode("ascii")
    c14n = signed_info.find(_ds("CanonicalizationMethod"))
    method_el = signed_info.find(_ds("SignatureMethod"))
    assert c14n is not None and method_el is not None
    canonical = canonicalize(signed_info, c14n.get("Algorithm") or "", _prefixes(c14n))
    hash_algorithm = SIGNATURE_DIGESTS[method_el.get("Algorithm") or ""]
    raw = key.sign(canonical, padding.PKCS1v15(), hash_algorithm())
    signature_value = signature.find(_ds("SignatureValue"))
    assert signature_value is not None
    signature_value.text = base64.b64encode(raw).decode("ascii")


def _b64(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except ValueError:
        raise SignatureError("malformed_signature", f"{what} is not base64") from None


def _required(children: dict[str, etree._Element], name: str) -> etree._Element:
    found = children.get(_ds(name))
    if found is None:
        raise SignatureError("malformed_signature", f"ds:{name} is missing")
    return found


def verify_signature(
    signature: etree._Element,
    public_key: rsa.RSAPublicKey,
    policy: AlgorithmPolicy,
    *,
    resolver: Resolver | None = None,
) -> SignatureForensics:
    """Verify every reference digest and the signature value of ``signature``.

    Args:
        signature: the ``ds:Signature`` element, in its document.
        public_key: the key of the (already trusted) signing certificate.
        policy: accepted algorithms.
        resolver: maps a reference URI to the element it covers (default: unique-ID lookup).

    Returns:
        The forensics (canonical SignedInfo, each reference's digests), on success too.

    Raises:
        SignatureError: with a reason code and, when computed, the forensics.
    """
    resolve = resolver or _same_document_resolver(signature)
    signature_children = _first_children(signature)
    signed_info = _required(signature_children, "SignedInfo")
    signed_info_children = _first_children(signed_info)
    c14n_element = _required(signed_info_children, "CanonicalizationMethod")
    c14n_method = c14n_element.get("Algorithm") or ""
    signature_method = _required(signed_info_children, "SignatureMethod").get("Algorithm") or ""
    if not policy.accepts_c14n(c14n_method):
        raise SignatureError("algorithm_not_allowed", f"canonicalization {c14n_method} refused")
    if not policy.accepts_signature(signature_method):
        raise SignatureError(
            "algorithm_not_allowed", f"signature method {signature_method} refused"
        )
    canonical = canonicalize(signed_info, c14n_method, _prefixes(c14n_element))
    references: list[ReferenceForensics] = []
    failure: SignatureError | None = None
    reference_elements = [child for child in signed_info if child.tag == _REFERENCE]
    if not reference_elements:
        failure = SignatureError("malformed_signature", "SignedInfo has no Reference")
    for reference in reference_elements:
        uri = reference.get("URI") or ""
        reference_children = _first_children(reference)
        transforms = _transforms(reference, reference_children.get(_TRANSFORMS))
        method = _required(reference_children, "DigestMethod").get("Algorithm") or ""
        expected = "".join((_required(reference_children, "DigestValue").text or "").split())
        names = tuple(algorithm for algorithm, _ in transforms)
        if not policy.accepts_digest(method):
            raise SignatureError("algorithm_not_allowed", f"digest method {method} refused")
        data = _digest_input(resolve(uri), transforms, signature, policy)
        computed = base64.b64encode(digest(data, method)).decode("ascii")
        references.append(ReferenceForensics(uri, names, method, expected, computed, data))
        if computed != expected and failure is None:
            failure = SignatureError(
                "digest_mismatch", f"the content referenced by {uri!r} was modified after signing"
            )
    forensics = SignatureForensics(c14n_method, signature_method, canonical, tuple(references))
    raw = _b64(_required(signature_children, "SignatureValue").text, "SignatureValue")
    try:
        public_key.verify(raw, canonical, padding.PKCS1v15(), SIGNATURE_DIGESTS[signature_method]())
    except InvalidSignature:
        failure = failure or SignatureError(
            "bad_signature_value",
            "SignatureValue does not match SignedInfo for the certificate key",
        )
    if failure is not None:
        failure.forensics = forensics
        raise failure
    return forensics
