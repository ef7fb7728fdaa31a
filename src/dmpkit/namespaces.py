"""XML namespace URIs used across dmpkit, in one place."""

from __future__ import annotations

from typing import Final

SOAP12: Final = "http://www.w3.org/2003/05/soap-envelope"
WSA: Final = "http://www.w3.org/2005/08/addressing"
WSSE: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
SAML2: Final = "urn:oasis:names:tc:SAML:2.0:assertion"
DS: Final = "http://www.w3.org/2000/09/xmldsig#"
XENC: Final = "http://www.w3.org/2001/04/xmlenc#"
XADES: Final = "http://uri.etsi.org/01903/v1.3.2#"
XADES_111: Final = "http://uri.etsi.org/01903/v1.1.1#"
XOP: Final = "http://www.w3.org/2004/08/xop/include"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
XML: Final = "http://www.w3.org/XML/1998/namespace"
HL7V3: Final = "urn:hl7-org:v3"
SDTC: Final = "urn:hl7-org:sdtc"
RIM: Final = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
RS: Final = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
LCM: Final = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
QUERY: Final = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
XDSB: Final = "urn:ihe:iti:xds-b:2007"
RMD: Final = "urn:ihe:iti:rmd:2017"
SVS: Final = "urn:ihe:iti:svs:2008"
DMP_HABILITATIONS: Final = "urn:si-dmp-habilitations"
DMP_PATIENTS: Final = "urn:si-dmp-patients"
