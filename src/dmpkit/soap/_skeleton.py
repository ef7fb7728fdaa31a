"""The bare SOAP 1.2 Envelope/Header/Body tree shared by envelopes and faults."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from dmpkit.soap import _names as n


def new_envelope(payload: etree._Element, headers: Sequence[etree._Element]) -> etree._Element:
    """``soap:Envelope`` with a Header holding ``headers`` (omitted if none) and a Body."""
    envelope = etree.Element(n.ENVELOPE, nsmap=n.NSMAP)
    if headers:
        header = etree.SubElement(envelope, n.HEADER)
        for block in headers:
            header.append(block)
    etree.SubElement(envelope, n.BODY).append(payload)
    return envelope
