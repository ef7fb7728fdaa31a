"""Sample N1 inputs for demos, notebooks and tests: a fictitious patient and professionals.

The INS is the test-platform INS of the ANS example documents (authority 1.2.250.1.213.1.4.10);
codes come from the CI-SIS value sets (JDV_J07 type, J01 specialty, J02 facility, J04 setting).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from dmpkit.cda import inputs as cda_in
from dmpkit.cda.builder import N1Document
from dmpkit.identifiers.ins import Ins

__all__ = ["WHEN", "minimal_pdf", "sample_document"]

PARIS = timezone(timedelta(hours=1))
WHEN = datetime(2024, 3, 5, 10, 30, tzinfo=PARIS)


def minimal_pdf(xmp_part: int | None = None) -> bytes:
    """A one-page PDF written by hand; with an XMP packet declaring PDF/A-``xmp_part``."""
    xmp = b""
    if xmp_part is not None:
        xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
               b'02/22-rdf-syntax-ns#"><rdf:Description xmlns:pdfaid="http://www.aiim.org/'
               b'pdfa/ns/id/" pdfaid:part="' + str(xmp_part).encode() +
               b'" pdfaid:conformance="B"/></rdf:RDF></x:xmpmeta>')
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    if xmp:
        objects.append(b"<< /Type /Metadata /Subtype /XML /Length " + str(len(xmp)).encode()
                       + b" >>\nstream\n" + xmp + b"\nendstream")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\n"
            b"startxref\n" + str(xref).encode() + b"\n%%EOF\n")
    return out


def sample_document(content: bytes | None = None, media_type: str = "application/pdf",
                    **changes: Any) -> N1Document:
    """An N1 document with every header input filled."""
    doctor = cda_in.HealthProfessional(
        "810002422979", cda_in.PersonName("CHARLES", "Pascal", prefix="M", suffix="DR"),
        cda_in.Code("G15_10/SM26", "1.2.250.1.213.1.1.4.5", "Qualifié en Médecine Générale (SM)"))
    clinic = cda_in.Organization("1750512345", "Cabinet du Dr Charles",
                                 address=cda_in.Address("12", "Rue de la Paix", "75002", "PARIS"),
                                 telecom="tel:0144556677")
    patient = cda_in.Patient(Ins("279035121518989", "1.2.250.1.213.1.4.10"), "PAT-TROIS",
                             "DOMINIQUE", "F", date(1979, 3, 28), "51215",
                             given_names="DOMINIQUE MARIE-LOUISE",
                             address=cda_in.Address("28", "Avenue de Breteuil", "75007", "PARIS"))
    values: dict[str, Any] = dict(
        content=content if content is not None else minimal_pdf(1), media_type=media_type,
        type_code=cda_in.Code("11488-4", "2.16.840.1.113883.6.1", "Note de consultation",
                              "LOINC"),
        title="Compte rendu de consultation", patient=patient,
        authors=[cda_in.Author(doctor, clinic, WHEN)], custodian=clinic,
        legal_authenticator=cda_in.LegalAuthenticator(doctor, WHEN),
        service_event=cda_in.ServiceEvent(
            WHEN - timedelta(minutes=30), doctor, clinic,
            cda_in.Code("AMBULATOIRE", "1.2.250.1.213.1.1.4.9", "Ambulatoire"), end=WHEN),
        encounter=cda_in.Encounter(WHEN - timedelta(minutes=30),
                                   cda_in.Code("SA07", "1.2.250.1.71.4.2.4", "Cabinet individuel"),
                                   end=WHEN, facility_id=("1.2.250.1.71.4.2.2", "1750512345")),
        effective_time=WHEN, document_id="1.2.250.1.999.1.2024.1", set_id="1.2.250.1.999.1.2024",
    )
    values.update(changes)
    return N1Document(**values)
