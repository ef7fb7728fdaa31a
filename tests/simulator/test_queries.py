"""ITI-18 stored queries (ITI TF-2a §3.18.4.1.2.3.7) and ITI-57 archive / visibility."""

from __future__ import annotations

import pytest
from lxml import etree

from dmpkit.pki import TestPki
from dmpkit.simulator import Simulator
from dmpkit.simulator.seed import load_seed
from dmpkit.simulator.testing import (
    SimClient,
    adhoc_query,
    provide_and_register,
    status_update,
    visibility_update,
)
from dmpkit.vihf import AuthentificationMode
from tests.simulator.helpers import APPROVED, body_of, find_documents_query, xpath

EMPTY = load_seed().patient("empty").ins
DIRECT = AuthentificationMode.DIRECTE
PATIENT = f"'{EMPTY}^^^&1.2.250.1.213.1.4.10&ISO^NH'"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"


@pytest.fixture
def fed(client: SimClient, simulator: Simulator, sim_pki: TestPki) -> Simulator:
    """The empty patient after one submission of two documents."""
    body = provide_and_register(sim_pki, EMPTY, [("un", b"1"), ("deux", b"2")])
    assert body_of(client.call("TD2.1", body, ins=EMPTY)).get("status", "").endswith(":Success")
    return simulator


def _query(client: SimClient, query_id: str, slots: dict[str, list[str]],
           return_type: str = "LeafClass") -> etree._Element:
    return body_of(client.call("TD3.1", adhoc_query(query_id, slots, return_type=return_type),
                               ins=EMPTY, authentification_mode=DIRECT))


def test_find_submission_sets_and_get_associations(client: SimClient, fed: Simulator) -> None:
    sets = _query(client, "urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9", {
        "$XDSSubmissionSetPatientId": [PATIENT], "$XDSSubmissionSetStatus": [f"('{APPROVED}')"]})
    set_ids = xpath(sets, "//rim:RegistryPackage/@id")
    assert len(set_ids) == 1 and set_ids[0].startswith("urn:uuid:")
    associations = _query(client, "urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155",
                          {"$uuid": [f"('{set_ids[0]}')"]})
    # HasMember for two documents and the signature, and the signature's "signs"
    assert len(xpath(associations, "//rim:Association")) == 4
    targets = set(xpath(associations, "//rim:Association/@targetObject"))
    stored = {d.entry_uuid for d in fed.storage.documents(EMPTY)}
    assert len(targets & stored) == 3


def test_get_documents_and_object_refs(client: SimClient, fed: Simulator) -> None:
    document = next(d for d in fed.storage.documents(EMPTY) if d.title == "un")
    by_uuid = _query(client, "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4",
                     {"$XDSDocumentEntryEntryUUID": [f"('{document.entry_uuid}')"]})
    assert xpath(by_uuid, "//rim:ExtrinsicObject/@id") == [document.entry_uuid]
    with_associations = _query(client, "urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a",
                               {"$XDSDocumentEntryUniqueId": [f"('{document.unique_id}')"]})
    assert xpath(with_associations, "//rim:ExtrinsicObject/@id") == [document.entry_uuid]
    assert xpath(with_associations, "//rim:Association/@targetObject") == [document.entry_uuid]
    refs = _query(client, "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d",
                  find_documents_query(EMPTY), return_type="ObjectRef")
    assert document.entry_uuid in xpath(refs, "//rim:ObjectRef/@id")


def test_unknown_query_and_missing_parameter_use_the_ihe_codes(client: SimClient) -> None:
    unknown = _query(client, "urn:uuid:00000000-0000-0000-0000-000000000000", {})
    assert xpath(unknown, "//rs:RegistryError/@errorCode") == ["XDSUnknownStoredQuery"]
    missing = _query(client, "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d",
                     {"$XDSDocumentEntryPatientId": [PATIENT]})
    assert xpath(missing, "//rs:RegistryError/@errorCode") == ["XDSStoredQueryMissingParam"]
    other = _query(client, "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d",
                   find_documents_query("279035121518989"))
    assert xpath(other, "//rs:RegistryError/@errorCode") == ["XDSPatientIdDoesNotMatch"]


def test_archive_then_find_by_status(client: SimClient, fed: Simulator) -> None:
    document = next(d for d in fed.storage.documents(EMPTY) if d.title == "deux")
    body = body_of(client.call("TD3.3d", status_update(document.entry_uuid, APPROVED, ARCHIVED,
                                                       EMPTY),
                               ins=EMPTY, authentification_mode=DIRECT))
    assert body.get("status", "").endswith(":Success")
    approved = _query(client, "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d",
                      find_documents_query(EMPTY))
    archived = _query(client, "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d",
                      find_documents_query(EMPTY, ARCHIVED))
    assert document.entry_uuid not in xpath(approved, "//rim:ExtrinsicObject/@id")
    assert xpath(archived, "//rim:ExtrinsicObject/@status") == [ARCHIVED]


def test_hiding_from_the_patient_is_td33b(client: SimClient, fed: Simulator) -> None:
    document = next(d for d in fed.storage.documents(EMPTY) if d.title == "un")
    request = visibility_update(document.metadata_xml, document.logical_id, document.version,
                                ["N", "INVISIBLE_PATIENT"], EMPTY)
    body = body_of(client.call("TD3.3b", request, ins=EMPTY, authentification_mode=DIRECT))
    assert body.get("status", "").endswith(":Success")
    assert fed.storage.traces(EMPTY, limit=1)[0].transaction == "TD3.3b"
    latest = [d for d in fed.storage.documents(EMPTY) if d.logical_id == document.logical_id][-1]
    assert latest.confidentiality == ("N", "INVISIBLE_PATIENT") and latest.version == 2
    # a stale PreviousVersion is refused
    stale = visibility_update(document.metadata_xml, document.logical_id, 1, ["N"], EMPTY)
    refused = body_of(client.call("TD3.3b", stale, ins=EMPTY, authentification_mode=DIRECT))
    assert xpath(refused, "//rs:RegistryError/@errorCode") == ["XDSMetadataVersionError"]
