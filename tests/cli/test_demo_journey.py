"""``dmpkit demo``: the vendor's journey on a local SI DMP, every step ok, exit status 0."""

from __future__ import annotations

from click.testing import CliRunner

from dmpkit.cli import main


def test_journey_runs_every_step_and_exits_0() -> None:
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output + result.stderr
    steps = [line.strip() for line in result.output.splitlines() if line.strip().startswith("[")]
    assert [s.split(":")[0] for s in steps] == [
        "[1/9] existence test (TD0.2)", "[2/9] creation (TD1.1)",
        "[3/9] authorisation (TD0.3, TD0.2)", "[4/9] feeding (TD2.1, ITI-41 MTOM)",
        "[5/9] search (TD3.1, ITI-18)", "[6/9] retrieve (TD3.2, ITI-43)",
        "[7/9] masking (TD3.3a, ITI-57)", "[8/9] replacement (TD2.1 + RPLC)",
        "[9/9] deletion (TD3.3c, ITI-57)"]
    assert all(": ok" in step for step in steps)
    assert "no DMP for this patient yet" in steps[0]
    assert "identical to what was sent" in steps[5]
    assert "MASQUE_PS" in steps[6]
    assert "the replaced one deprecated" in steps[7]
    assert "0 current document(s) left" in steps[8]
    assert result.output.rstrip().endswith("journey complete")
