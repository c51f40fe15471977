"""clgym.replication.protocol (``clgym replicate protocol``, issue 11): forks of one culture, frozen probes,
yoked replay, the report and its --reanalyse."""

import json

import numpy as np
import pytest

from clgym.replication.protocol.command import main
from clgym.replication.protocol.frozen_probe import ProbeBattery, probe_frozen_culture
from clgym.replication.protocol.job import CultureJob, _culture_link, _record_stims, play_session, replay_stims

TINY = {"preset": "tiny"}


@pytest.fixture(scope="module")
def settled_snapshot():
    job = CultureJob(culture_seed=3, culture=TINY, minutes=0.2, settle_s=1.0, serves=2, max_serve_s=6.0)
    link = _culture_link(job)
    for _ in range(100):
        link.advance()
    snap = link.source.culture.snapshot()
    link.close()
    return job, snap


def test_probing_the_same_frozen_snapshot_twice_gives_the_same_play(settled_snapshot):
    job, snap = settled_snapshot
    battery = ProbeBattery(serves=3, max_serve_s=8.0)
    a = probe_frozen_culture(job.culture_config, snap, battery)
    b = probe_frozen_culture(job.culture_config, snap, battery)
    np.testing.assert_array_equal(a["first_hit"], b["first_hit"])
    np.testing.assert_array_equal(a["rally"], b["rally"])


def test_the_probe_does_not_change_the_weights_it_scores(settled_snapshot):
    from clgym.culture.snapshots import restore_at
    from clgym.links import InProcessLink
    from clgym.replication.protocol.frozen_probe import play_battery

    job, snap = settled_snapshot
    link = InProcessLink(job.culture_config, ticks_per_second=100)
    culture = link.source.culture
    restore_at(culture, snap, frame=0)
    culture.set_plasticity(stdp=False, homeostasis=False)
    before = culture.syn_w.copy()
    play_battery(link, ProbeBattery(serves=2, max_serve_s=6.0))
    link.close()
    np.testing.assert_array_equal(culture.syn_w, before)


def test_the_yoked_culture_receives_exactly_the_stimulus_sessions_stimulation(settled_snapshot):
    job, snap = settled_snapshot
    ticks = 1500
    master = _culture_link(job, snap)
    log = _record_stims(master)
    play_session(master, "stimulus", ticks, game_seed=3)
    master.close()
    assert len(log) > 20
    yoked = _culture_link(job, snap)
    issued = []
    yoked.observe(on_stim=lambda request: issued.append((yoked.tick_index, request)))
    replay_stims(yoked, log, ticks)
    yoked.close()
    assert issued == log


def test_every_condition_starts_from_the_same_snapshot_and_the_report_is_complete(tmp_path):
    out = tmp_path / "run"
    assert main(["--quick", "--workers", "1", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    primary = results["primary"]
    assert set(primary["conditions"]) == {"stimulus", "silent", "no_feedback", "rest", "swapped", "plasticity_off",
                                          "yoked", "in_silico", "media_only"}
    for c in primary["conditions"].values():
        assert c["n"] == 2 and {"delta_mean", "delta_sem"} <= set(c)
    assert "stimulus_vs_plasticity_off" in primary["tests"] and "p" in primary["tests"]["stimulus_vs_plasticity_off"]
    for name in ("yoked_vs_plasticity_off", "swapped_vs_plasticity_off", "silent_vs_no_feedback"):
        assert name in primary["tests"]
    per_culture = [json.loads(p.read_text()) for p in sorted((out / "cultures").glob("*.json"))]
    for r in per_culture:
        starts = {json.dumps(r["conditions"][c]["start"]) for c in ("stimulus", "silent", "rest", "yoked")}
        assert len(starts) == 1, "culture conditions share one start probe"
    for name in ("summary.md", "cultures.csv", "probes.csv", "primary.png", "rally.png", "paper_measure.png"):
        assert (out / name).stat().st_size > 0
    # resumable: nothing is recomputed, the report is the same
    before = (out / "results.json").read_text()
    assert main(["--quick", "--workers", "1", "--resume", "--out", str(out)]) == 0
    assert json.loads((out / "results.json").read_text())["primary"] == json.loads(before)["primary"]


def test_bad_protocol_arguments_fail_before_anything_runs(tmp_path):
    with pytest.raises(SystemExit) as stopped:
        main(["--cultures", "1", "--out", str(tmp_path)])
    assert stopped.value.code == 2
    assert not (tmp_path / "run.json").exists()
    with pytest.raises(ValueError, match="'yoked' replays"):
        CultureJob(culture_seed=0, culture=TINY, minutes=1, settle_s=0, serves=1, max_serve_s=10,
                   conditions=("yoked",))


def test_the_yoked_culture_does_not_retrace_the_stimulus_session(settled_snapshot):
    """Same snapshot, same stimulation: without a fresh random stream a deterministic culture would replay the
    stimulus session spike for spike, and its stimulation would still be contingent on its own activity."""
    from clgym.replication.protocol.job import reseed_noise

    job, snap = settled_snapshot
    ticks = 600
    master = _culture_link(job, snap)
    log = _record_stims(master)
    play_session(master, "stimulus", ticks, game_seed=3)
    master_membranes = master.source.culture.snapshot()["v"].copy()
    master.close()
    for reseed, same in ((False, True), (True, False)):
        yoked = _culture_link(job, snap)
        if reseed:
            reseed_noise(yoked.source.culture, job.culture_seed)
        replay_stims(yoked, log, ticks)
        assert np.array_equal(yoked.source.culture.snapshot()["v"], master_membranes) is same
        yoked.close()


def test_the_session_measures_weight_change_after_hits_and_misses_and_a_frozen_culture_has_none():
    """kappa (weight change after a miss / after a hit) is measured in the session on the culture it plays."""
    job = CultureJob(culture_seed=3, culture={"preset": "tiny", "stdp_tagging": True, "depotentiation_min_uA": 1.5},
                     minutes=0.2, settle_s=0.0, serves=2, max_serve_s=6.0)
    out = {}
    for frozen in (False, True):
        link = _culture_link(job)
        culture = link.source.culture
        if frozen:
            culture.set_plasticity(stdp=False, homeostasis=False)
        out[frozen] = play_session(link, "stimulus", 6000, game_seed=3, culture=culture)["plasticity"]
        link.close()
    live, frozen = out[False], out[True]
    assert live["n_hit"] > 0 and live["n_miss"] > 0
    assert live["abs_dw_after_hit"] > 0 and live["abs_dw_after_miss"] > 0
    assert live["kappa"] == pytest.approx(live["abs_dw_after_miss"] / live["abs_dw_after_hit"])
    assert frozen["abs_dw_after_hit"] == 0 and frozen["abs_dw_after_miss"] == 0


def test_a_culture_free_condition_shows_no_change_between_its_probes():
    """media_only has nothing that could learn: over cultures its delta is ~0 (the protocol measures no drift)."""
    from clgym.replication.protocol.job import run_culture

    deltas = []
    for seed in range(3):
        job = CultureJob(culture_seed=seed, culture=TINY, minutes=0.5, settle_s=0.0, serves=60, max_serve_s=10.0,
                         conditions=("media_only",))
        rec = run_culture(job)["conditions"]["media_only"]
        start, end = np.mean(rec["start"]["first_hit"]), np.mean(rec["end"]["first_hit"])
        assert 0.05 < start < 0.95, "the battery must not be trivial"
        deltas.append(end - start)
    assert abs(np.mean(deltas)) < 0.07, deltas
