"""Which documents a caller sees and may act on (REFERENCE §3.4, §4, §10.3).

* MASQUE_PS: hidden from professionals except its author and the médecin traitant in normal
  mode; in bris de glace / centre 15 only if the patient allowed it (option
  ``masked_visible_in_emergency`` of rights.toml, the permission itself not being modelled).
* CPE and indirect authentication may only look up references: they see the documents of their
  own structure [I].
* The authorisation matrix (profession × class) hides other classes, except one's own documents.
* INVISIBLE_PATIENT / INVISIBLE_REPRESENTANTS_LEGAUX concern the patient's side (web view).
* Deleting: one's own documents (direct) or the structure's (CPE / indirect); archiving: one's own
  in normal direct mode, or the médecin traitant; unmasking: one's own, or the médecin traitant;
  patient-authored documents: only the médecin traitant archives or deletes them.
"""

from __future__ import annotations

from dmpkit.catalogue import AccessMode, AuthMode
from dmpkit.simulator.caller import Caller
from dmpkit.simulator.errors import DmpRefusalError
from dmpkit.simulator.rules.matrix import AuthorisationMatrix
from dmpkit.simulator.rules.rights import RightsMatrix
from dmpkit.simulator.storage import DocumentRecord

__all__ = ["MASQUE_PS", "PATIENT_AUTHOR", "may_change", "visible_to"]

MASQUE_PS = "MASQUE_PS"
PATIENT_AUTHOR = "PATIENT"
_STRUCTURE_ONLY = {AuthMode.DIRECT_CPE, AuthMode.INDIRECT, AuthMode.AIR}


def _own(document: DocumentRecord, caller: Caller) -> bool:
    if caller.auth_mode in _STRUCTURE_ONLY:
        return document.author_structure == caller.structure
    return document.author == caller.professional


def visible_to(document: DocumentRecord, caller: Caller, *, medecin_traitant: bool,
               matrix: AuthorisationMatrix, rights: RightsMatrix) -> bool:
    """Whether a professional's search or retrieve may return this document."""
    own = _own(document, caller)
    if caller.auth_mode in _STRUCTURE_ONLY:
        return own
    if own:
        return True
    if MASQUE_PS in document.confidentiality:
        if caller.access_mode is AccessMode.NORMAL:
            if not medecin_traitant:
                return False
        elif not rights.option("masked_visible_in_emergency"):
            return False
    return matrix.allows(caller.profession, document.class_code, document.type_code)


def may_change(document: DocumentRecord, caller: Caller, action: str, *,
               medecin_traitant: bool, unmask: bool = False) -> None:
    """Refuse an ITI-57 change the caller may not make on this document.

    Args:
        document: the version changed.
        caller: who asks.
        action: ``delete``, ``archive`` or ``visibility``.
        medecin_traitant: the caller is the patient's médecin traitant DMP.
        unmask: a visibility change that removes MASQUE_PS.

    Raises:
        DmpRefusalError: ``xds.not_author`` with the rule broken.
    """
    own = _own(document, caller)
    if document.author == PATIENT_AUTHOR and action in ("delete", "archive"):
        if not medecin_traitant:
            raise DmpRefusalError("xds.not_author",
                             "seul le médecin traitant peut archiver ou supprimer un document du "
                             "patient")
        return
    if action == "delete" and not own:
        raise DmpRefusalError("xds.not_author", "seul l'auteur peut supprimer un document")
    if action == "archive" and not (own or medecin_traitant):
        raise DmpRefusalError("xds.not_author",
                         "archivage réservé à l'auteur ou au médecin traitant")
    if action == "visibility" and unmask and not (own or medecin_traitant):
        raise DmpRefusalError("xds.not_author",
                         "démasquage réservé à l'auteur ou au médecin traitant")
