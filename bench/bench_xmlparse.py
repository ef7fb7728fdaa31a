"""How much of a hardened parse is spent on the checks around libxml2.

Run: ``python bench/bench_xmlparse.py``. Prints, for a few document shapes, the time of a
full :func:`dmpkit.xmlparse.parse_xml` and the share taken by the byte-level pre-checks
(encoding, markup count, prolog) and by the tree checks (DTD, XInclude, entities,
attribute length, depth). Ratios come from one run on this machine; nothing is asserted.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

from dmpkit import xmlparse
from dmpkit.xmlparse import DEFAULT_LIMITS, parse_xml


def _documents() -> dict[str, bytes]:
    slot = b'<rim:Slot name="creationTime"><rim:ValueList><rim:Value>20250115</rim:Value>' \
        b"</rim:ValueList></rim:Slot>"
    registry = (
        b'<rim:RegistryObjectList xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">'
        + slot * 20_000 + b"</rim:RegistryObjectList>"
    )
    accented = "<texte>" + "Compte rendu opératoire, ténosynovite. " * 50_000 + "</texte>"
    base64_payload = b"<Document>" + b"QUJDRA==" * 1_000_000 + b"</Document>"
    return {
        "ebRIM, 20k slots": registry,
        "French text, 2 MB": accented.encode(),
        "base64, 8 MB": base64_payload,
    }


def _best(function: Callable[[], object], repeat: int = 5) -> float:
    return min(timeit.repeat(function, number=1, repeat=repeat))


def main() -> None:
    print(f"{'document':<20} {'size':>9} {'parse_xml':>10} {'pre-checks':>11} {'tree checks':>12}")
    for name, data in _documents().items():
        root = parse_xml(data)
        total = _best(lambda data=data: parse_xml(data))

        def pre(data: bytes = data) -> None:
            body = xmlparse._check_encoding(data)
            body.count(b"<")
            xmlparse._check_prolog(body)

        before = _best(pre)
        size = len(data)
        after = _best(lambda root=root, size=size: xmlparse._check_tree(root, DEFAULT_LIMITS, size))
        print(
            f"{name:<20} {len(data) / 1e6:>7.1f}MB {total * 1e3:>8.1f}ms "
            f"{before / total:>10.0%} {after / total:>11.0%}"
        )


if __name__ == "__main__":
    main()
