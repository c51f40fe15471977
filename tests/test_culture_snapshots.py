"""Restoring a snapshot at another time: the same culture, a shifted clock (clgym.culture.snapshots)."""

import numpy as np
import pytest

from clgym.culture import Culture, CultureConfig
from clgym.culture.snapshots import restore_at


@pytest.mark.parametrize("preset", ["tiny", "dishbrain"])
@pytest.mark.parametrize("new_frame", [0, 3 * 25_000])
def test_a_culture_restored_at_another_frame_continues_exactly_as_the_original(preset, new_frame):
    cfg = CultureConfig.from_preset(preset, seed=5)
    original = Culture(cfg)
    original.advance(25_000)
    original.stimulate(9, original.frame + 500, (200, 200), (-1.0, 1.0))  # a pulse pending across the snapshot
    snap = original.snapshot()
    later = original.advance(2 * 25_000)
    copy = Culture(cfg)
    copy.advance(7 * 250)  # its own clock is elsewhere: restore_at must not care
    restore_at(copy, snap, frame=new_frame)
    assert copy.frame == new_frame
    moved = copy.advance(2 * 25_000)
    shift = new_frame - snap["frame"]
    assert len(later) > 50
    np.testing.assert_array_equal(moved.timestamps - shift, later.timestamps)
    np.testing.assert_array_equal(moved.channels, later.channels)
    np.testing.assert_array_equal(copy.syn_w, original.syn_w)


def test_restore_at_refuses_a_frame_inside_an_engine_step():
    c = Culture(CultureConfig.from_preset("tiny", seed=1))
    with pytest.raises(ValueError, match="frame=13 is not allowed; allowed: a non-negative multiple of 25"):
        restore_at(c, c.snapshot(), frame=13)
