"""The public surface of ``dmpkit.soap``: what other layers code against."""

from __future__ import annotations

import inspect

import dmpkit.soap as soap
from dmpkit.errors import DmpkitError
from dmpkit.soap import errors


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(soap) if not name.startswith("_")}
    modules = {name for name in public if inspect.ismodule(getattr(soap, name))}
    assert set(soap.__all__) == public - modules - {"annotations"}


def test_every_soap_error_is_a_dmpkit_error_with_a_fault_code() -> None:
    for name in ("EnvelopeError", "MustUnderstandError", "AddressingError", "SoapFaultError",
                 "HttpStatusError", "VersionMismatchError"):
        error_class = getattr(errors, name)
        assert issubclass(error_class, DmpkitError)
        assert error_class.fault_code in {"Sender", "Receiver", "MustUnderstand",
                                          "VersionMismatch"}
