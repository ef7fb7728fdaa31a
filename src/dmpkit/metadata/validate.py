"""Validate XDS metadata against the DMP rules: the model, or any message on disk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dmpkit.findings import Finding, Severity
from dmpkit.metadata.checks import CHECKS, Context
from dmpkit.metadata.ebrim import DecodeProblem, decode
from dmpkit.metadata.messages import read_message
from dmpkit.metadata.model import XdsMetadata
from dmpkit.metadata.rules import RuleSet, load_rules

__all__ = ["validate", "validate_message"]

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def validate(metadata: XdsMetadata, *, documents: Mapping[str, bytes] | None = None,
             problems: Sequence[DecodeProblem] = (), submission: bool = True,
             prefix: str = "", rules: RuleSet | None = None) -> list[Finding]:
    """Check metadata against every rule of ``specs/dmp/metadata-rules.toml``.

    Args:
        metadata: the objects to check.
        documents: ITI-41 document bytes by DocumentEntry id (enables hash/size checks).
        problems: what the decoder could not type (reported as findings).
        submission: True for ITI-41/42/57 content (HasMember, references are checked).
        prefix: the location of ``rim:RegistryObjectList`` in the message.
        rules: another rule set (default: the shipped one).

    Returns:
        The findings, errors first, in rule order.
    """
    ruleset = rules or load_rules()
    ctx = Context(metadata, problems, documents, submission, prefix)
    findings: list[Finding] = []
    last = [r for r in ruleset.rules if r.check == "decodable"]
    for rule in [r for r in ruleset.rules if r.check != "decodable"] + last:
        findings.extend(CHECKS[rule.check](rule, ctx))
    return sorted(findings, key=lambda f: _ORDER[f.severity])


def validate_message(data: bytes, content_type: str | None = None, *,
                     rules: RuleSet | None = None) -> list[Finding]:
    """Validate the metadata of an ITI-41/42/57 message (bare, SOAP or MTOM capture).

    Raises:
        MessageFormatError: the bytes hold no readable XDS metadata.
        XmlSecurityError: the hardened parser refused the XML.
    """
    message = read_message(data, content_type)
    decoded = decode(message.registry_object_list)
    return validate(decoded.metadata, documents=message.documents, problems=decoded.problems,
                    submission=message.submission, prefix=message.prefix, rules=rules)
