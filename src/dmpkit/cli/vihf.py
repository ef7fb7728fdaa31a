"""``dmpkit vihf``: make, inspect and verify VIHF tokens (signed SAML assertions)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
from lxml import etree

from dmpkit.pki import PkiError, TrustStore, load_certificates, load_pki
from dmpkit.pki.store import load_pkcs12
from dmpkit.vihf import (
    AuthentificationMode,
    CodedValue,
    InsIdentifier,
    PurposeOfUse,
    VihfClaims,
    VihfClaimsError,
    VihfReadError,
    VihfSigner,
    VihfVerificationError,
    VihfVerifier,
    inspect_vihf,
)
from dmpkit.vihf.claims import OID_STATUT_VISIBILITE
from dmpkit.vihf.inspect import VihfInspection
from dmpkit.xmlparse import XmlSecurityError

EXIT_INVALID = 1
DIGEST_INPUT_PREVIEW = 400  # characters of each digest input shown without --full
CONNEXION_SECRETE = CodedValue("INVISIBLE_REPRESENTANTS_LEGAUX", OID_STATUT_VISIBILITE,
                               "Non visible par les représentants légaux du patient")
_DEFAULTS = VihfClaims()


def _print_json(document: object) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True, default=str))


def _coded(text: str, what: str) -> CodedValue:
    parts = text.split("^")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise click.BadParameter(f"{text!r}: expected CODE^CODESYSTEM[^DISPLAYNAME]",
                                 param_hint=what)
    return CodedValue(parts[0], parts[1], parts[2] if len(parts) > 2 else "")


@click.group()
def vihf() -> None:
    """Make, inspect and verify VIHF tokens (the DMP's signed SAML 2.0 assertion)."""


@vihf.command("make")
@click.option("--pki", "pki_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A folder made by `dmpkit pki init` (its ORG SIGN certificate signs).")
@click.option("--p12", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Sign with this PKCS#12 instead (e.g. your IGC-Santé ORG SIGN).")
@click.option("--p12-password-env", default="DMPKIT_P12_PASSWORD", show_default=True,
              help="Environment variable holding the --p12 password.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the signed assertion.")
@click.option("--name-id", default=_DEFAULTS.name_id, show_default=True,
              help="Subject/NameID: IdNat of the professional (8+RPPS).")
@click.option("--subject-id", default=_DEFAULTS.subject_id, show_default=True,
              help="subject-id: 'Nom, Prénom' (or 'Logiciel, Modèle').")
@click.option("--role", "roles", multiple=True, metavar="CODE^OID[^DISPLAY]",
              help="A role occurrence (repeat: profession first, then savoir-faire). "
              "Default: 10 (Médecin) + SM26.")
@click.option("--secteur-activite", default="SA01^1.2.250.1.71.4.2.4", show_default=True,
              metavar="CODE^OID", help="Secteur_Activite (JDV_J61).")
@click.option("--identifiant-structure", default=None,
              help="Identifiant_Structure (default: the PKI's structure).")
@click.option("--ins", default=_DEFAULTS.resource_id.to_cx() if _DEFAULTS.resource_id else None,
              show_default=True, metavar="CX", help="resource-id: INS as MATRICULE^^^&OID&ISO^NH.")
@click.option("--no-patient", is_flag=True, help="Omit resource-id (calls not about a patient).")
@click.option("--purpose", type=click.Choice([p.value for p in PurposeOfUse]),
              default=PurposeOfUse.NORMAL.value, show_default=True, help="purposeofuse.")
@click.option("--auth-mode", type=click.Choice([m.value for m in AuthentificationMode] + ["none"]),
              default=AuthentificationMode.INDIRECTE.value, show_default=True,
              help="Authentification_Mode ('none' omits it).")
@click.option("--connexion-secrete", is_flag=True,
              help="Add the confidentiality code INVISIBLE_REPRESENTANTS_LEGAUX (JDV_J64).")
@click.option("--lps-nom", default=_DEFAULTS.lps_nom, show_default=True, help="LPS_Nom.")
@click.option("--lps-version", default=_DEFAULTS.lps_version, show_default=True,
              help="LPS_Version.")
@click.option("--lps-id", default=None, help="LPS_ID (optional).")
@click.option("--lps-homologation", default=_DEFAULTS.lps_id_homologation_dmp,
              show_default=True, help="LPS_ID_HOMOLOGATION_DMP (CNDA number).")
@click.option("--vihf-version", default=_DEFAULTS.vihf_version, show_default=True,
              help="VIHF_Version.")
@click.option("--authn-context-class", default=_DEFAULTS.authn_context_class, show_default=True,
              help="AuthnContextClassRef.")
@click.option("--authn-context-decl", default=None, help="AuthnContextDecl (AIR mode).")
@click.option("--lifetime", type=int, default=3600, show_default=True,
              help="Seconds between NotBefore and NotOnOrAfter (0 omits Conditions).")
@click.option("--sha1", is_flag=True, help="Sign with rsa-sha1 (to reproduce old samples).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def make(pki_dir: Path | None, p12: Path | None, p12_password_env: str, output: Path,
         name_id: str, subject_id: str, roles: tuple[str, ...], secteur_activite: str,
         identifiant_structure: str | None, ins: str | None, no_patient: bool, purpose: str,
         auth_mode: str, connexion_secrete: bool, lps_nom: str, lps_version: str,
         lps_id: str | None, lps_homologation: str, vihf_version: str,
         authn_context_class: str, authn_context_decl: str | None, lifetime: int, sha1: bool,
         as_json: bool) -> None:
    """Write a signed VIHF to OUTPUT, with test defaults for every attribute."""
    if (pki_dir is None) == (p12 is None):
        raise click.UsageError("give exactly one of --pki DIR or --p12 FILE")
    try:
        if pki_dir is not None:
            loaded = load_pki(pki_dir)
            certified, structure_id = loaded.sign, loaded.structure.identifiant_structure
        else:
            assert p12 is not None
            password = os.environ.get(p12_password_env)
            certified = load_pkcs12(p12, password.encode("utf-8") if password else None)
            structure_id = _DEFAULTS.identifiant_structure
        claims = VihfClaims(
            name_id=name_id,
            subject_id=subject_id,
            roles=tuple(_coded(role, "--role") for role in roles) or _DEFAULTS.roles,
            secteur_activite=_coded(secteur_activite, "--secteur-activite"),
            identifiant_structure=identifiant_structure or structure_id,
            resource_id=None if no_patient or not ins else _ins(ins),
            purpose_of_use=PurposeOfUse(purpose),
            authentification_mode=None if auth_mode == "none" else AuthentificationMode(auth_mode),
            confidentiality_code=CONNEXION_SECRETE if connexion_secrete else None,
            lps_nom=lps_nom,
            lps_version=lps_version,
            lps_id=lps_id,
            lps_id_homologation_dmp=lps_homologation,
            vihf_version=vihf_version,
            authn_context_class=authn_context_class,
            authn_context_decl=authn_context_decl,
        )
        signer = VihfSigner.from_certified_key(certified, sha1=sha1)
        assertion = signer.sign(claims, lifetime=timedelta(seconds=lifetime) if lifetime else None)
    except VihfClaimsError as exc:
        raise click.ClickException(str(exc)) from None
    except PkiError as exc:
        raise click.ClickException(str(exc)) from None
    output.write_bytes(etree.tostring(assertion, xml_declaration=True, encoding="UTF-8"))
    if as_json:
        _print_json({"output": str(output), "assertion_id": assertion.get("ID"),
                     "issuer": signer.issuer_dn, "issue_instant": assertion.get("IssueInstant")})
    else:
        click.echo(f"VIHF {assertion.get('ID')} signed by {signer.issuer_dn} -> {output}")


def _ins(text: str) -> InsIdentifier:
    try:
        return InsIdentifier.from_cx(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--ins") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None


def _claim_rows(claims: VihfClaims) -> list[tuple[str, str]]:
    rows = [("NameID", claims.name_id), ("subject-id", claims.subject_id)]
    rows += [(f"role[{i}]", f"{r.code}^{r.code_system} {r.display_name}".rstrip())
             for i, r in enumerate(claims.roles, start=1)]
    sector = claims.secteur_activite
    rows += [
        ("Secteur_Activite", f"{sector.code}^{sector.code_system}"),
        ("Identifiant_Structure", claims.identifiant_structure),
        ("resource-id", claims.resource_id.to_cx() if claims.resource_id else "-"),
        ("Ressource_URN", claims.ressource_urn),
        ("purposeofuse", str(claims.purpose_of_use)),
        ("Authentification_Mode", str(claims.authentification_mode or "-")),
        ("confidentiality-code", claims.confidentiality_code.code
         if claims.confidentiality_code else "-"),
        ("LPS_Nom", claims.lps_nom), ("LPS_Version", claims.lps_version),
        ("LPS_ID", claims.lps_id or "-"),
        ("LPS_ID_HOMOLOGATION_DMP", claims.lps_id_homologation_dmp),
        ("VIHF_Version", claims.vihf_version),
        ("AuthnContextClassRef", claims.authn_context_class),
    ]
    return rows


def render_inspection(found: VihfInspection) -> str:
    """The human-readable table of ``dmpkit vihf inspect``."""
    rows: list[tuple[str, str]] = [
        ("ID", found.assertion_id or "-"), ("IssueInstant", found.issue_instant or "-"),
        ("Issuer", found.issuer or "-"),
        ("signed", f"yes ({found.signature_method})" if found.signed else "NO"),
    ]
    if found.claims is not None:
        rows += _claim_rows(found.claims)
    if found.read_error:
        rows.append(("read error", found.read_error))
    if found.certificate is not None:
        cert = found.certificate
        rows += [("cert subject", cert.subject), ("cert issuer", cert.issuer),
                 ("cert serial", cert.serial_number),
                 ("cert validity", f"{cert.not_before} .. {cert.not_after}"),
                 ("cert key usage", ", ".join(cert.key_usage) or "-")]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name.ljust(width)}  {value}" for name, value in rows]
    return "\n".join(["(not verified: use `dmpkit vihf verify`)", *lines])


@vihf.command("inspect")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def inspect(file: Path, as_json: bool) -> None:
    """Show the claims and certificate of FILE (a VIHF or a SOAP envelope) WITHOUT verifying."""
    try:
        found = inspect_vihf(_read(file))
    except (VihfReadError, XmlSecurityError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        _print_json(found.to_dict())
    else:
        click.echo(render_inspection(found))


def _trust(pki_dir: Path | None, ca: Path | None) -> TrustStore:
    if (pki_dir is None) == (ca is None):
        raise click.UsageError("give exactly one of --pki DIR or --ca PEM (the only CA trusted)")
    try:
        if pki_dir is not None:
            loaded = load_pki(pki_dir)
            return TrustStore([loaded.root.certificate], [loaded.intermediate.certificate])
        assert ca is not None
        certificates = load_certificates(ca)
        # self-signed certificates are the anchors; the others may only complete chains
        roots = [c for c in certificates if c.issuer == c.subject]
        return TrustStore(roots or certificates, [c for c in certificates if c not in roots])
    except (PkiError, ValueError) as exc:
        raise click.ClickException(f"cannot load the trust anchors: {exc}") from None


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 instant",
                                 param_hint="--at") from None
    if moment.tzinfo is None:
        raise click.BadParameter("give a timezone (e.g. 2025-01-15T09:30:00Z)", param_hint="--at")
    return moment


def _forensics_text(error: VihfVerificationError, full: bool) -> list[str]:
    if error.forensics is None:
        return []
    forensics = error.forensics
    lines = ["", "Signature forensics:",
             f"  CanonicalizationMethod: {forensics.canonicalization}",
             f"  SignatureMethod:        {forensics.signature_method}",
             "  canonical SignedInfo:",
             "    " + forensics.canonical_signed_info.decode("utf-8", "replace")]
    for reference in forensics.references:
        data = (reference.digest_input or b"").decode("utf-8", "replace")
        if not full and len(data) > DIGEST_INPUT_PREVIEW:
            data = data[:DIGEST_INPUT_PREVIEW] + f"… ({len(reference.digest_input or b'')} bytes, "\
                "--full shows all)"
        lines += [f"  Reference URI={reference.uri!r}",
                  f"    transforms: {', '.join(reference.transforms) or '-'}",
                  f"    digest:     {reference.digest_method}",
                  f"    expected:   {reference.expected_digest}",
                  f"    computed:   {reference.computed_digest}",
                  f"    input:      {data}"]
    return lines


@vihf.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--pki", "pki_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Trust the root of this `dmpkit pki init` folder (and its intermediate).")
@click.option("--ca", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Trust only the CA(s) of this PEM file (self-signed ones are the anchors, "
              "others intermediates: give ca/chain.pem).")
@click.option("--at", "at_text", default=None, metavar="ISO-TIME",
              help="Check at this instant (default: now).")
@click.option("--skew", type=int, default=300, show_default=True, help="Clock skew, seconds.")
@click.option("--max-age", type=int, default=86400, show_default=True,
              help="Oldest accepted IssueInstant, seconds (0: no limit).")
@click.option("--allow-sha1", is_flag=True, help="Accept rsa-sha1 / sha1.")
@click.option("--full", is_flag=True, help="Show whole digest inputs in the forensics.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verify(file: Path, pki_dir: Path | None, ca: Path | None, at_text: str | None, skew: int,
           max_age: int, allow_sha1: bool, full: bool, as_json: bool) -> None:
    """Verify FILE (a VIHF or a SOAP envelope); exit 0 only when the token is valid."""
    verifier = VihfVerifier(_trust(pki_dir, ca), clock_skew=timedelta(seconds=skew),
                            max_age=timedelta(seconds=max_age) if max_age else None,
                            allow_sha1=allow_sha1)
    data = _read(file)
    try:
        verified = verifier.verify(data, at=_instant(at_text))
    except XmlSecurityError as exc:
        raise click.ClickException(f"unreadable XML: {exc}") from None
    except VihfVerificationError as error:
        if as_json:
            _print_json({"valid": False, "reason": error.reason, "detail": error.detail,
                         "forensics": error.forensics.to_dict() if error.forensics else None})
        else:
            click.echo(f"INVALID: {error.reason}")
            click.echo(f"  {error.detail}")
            for line in _forensics_text(error, full):
                click.echo(line)
        click.get_current_context().exit(EXIT_INVALID)
        return
    result: dict[str, Any] = {
        "valid": True, "assertion_id": verified.assertion_id,
        "issuer": verified.issuer, "issue_instant": verified.issue_instant.isoformat(),
        "chain": [cert.subject.rfc4514_string() for cert in verified.chain],
    }
    if as_json:
        result["claims"] = dict(_claim_rows(verified.claims))
        _print_json(result)
        return
    click.echo(f"VALID: {verified.assertion_id} signed by {verified.issuer}")
    click.echo("  chain: " + " <- ".join(reversed(result["chain"])))
    for name, value in _claim_rows(verified.claims):
        click.echo(f"  {name}: {value}")
