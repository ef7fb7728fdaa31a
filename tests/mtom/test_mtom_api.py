"""The public MTOM API is exactly what ``__all__`` declares."""

from __future__ import annotations

from dmpkit import mtom


def test_public_api_matches_all() -> None:
    public = {name for name in dir(mtom) if not name.startswith("_")}
    assert set(mtom.__all__) == public - {"annotations"}
