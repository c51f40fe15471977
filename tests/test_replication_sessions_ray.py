"""``clgym replicate --ray-address`` on a loopback-only local Ray: the same results as local worker processes.

Needs the ``ray`` extra (``pip install 'clgym[ray]'``); skipped with that reason where Ray is not installed.
"""

from __future__ import annotations

import ipaddress
import json

import pytest

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'clgym[ray]')")

QUICK = ["--quick", "--minutes", "0.5"]


def without_timing(results: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("wall_seconds", "cpu_seconds")} for r in results]


def ray_listening_addresses() -> set[str]:
    """The addresses that the processes of this Ray node (children of this process) listen on."""
    import psutil

    ours = {p.pid for p in psutil.Process().children(recursive=True)}
    return {c.laddr.ip for c in psutil.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN and c.pid in ours}


@pytest.fixture(scope="module")
def loopback_ray():
    ray.init(num_cpus=2, _node_ip_address="127.0.0.1", include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.xfail(strict=True, reason="Ray 2.60 binds the GCS, raylet and worker gRPC servers on '::' and its "
                   "runtime-env agent on the node's own address although _node_ip_address is 127.0.0.1: a loopback "
                   "Ray is reachable from the network (found in issue 12); only a firewall keeps it local")
def test_ray_listens_on_loopback_only(loopback_ray):
    addresses = ray_listening_addresses()
    assert addresses, "no listening Ray process found"
    assert all(ipaddress.ip_address(a).is_loopback for a in addresses), addresses


def test_quick_campaign_on_ray_equals_local_workers(loopback_ray, tmp_path):
    from clgym.replication.sessions import command as campaign

    assert campaign.main([*QUICK, "--workers", "2", "--out", str(tmp_path / "local")]) == 0
    assert campaign.main([*QUICK, "--ray-address", "auto", "--out", str(tmp_path / "ray")]) == 0
    local = json.loads((tmp_path / "local" / "results.json").read_text())
    on_ray = json.loads((tmp_path / "ray" / "results.json").read_text())
    assert len(local) == 4  # 2 sessions x 2 conditions
    assert without_timing(on_ray) == without_timing(local)
    for name in ("sessions.csv", "rallies.csv", "activity.csv"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert "Ray" in (tmp_path / "ray" / "summary.md").read_text()


def test_a_failed_ray_task_is_reported_and_the_others_kept(loopback_ray):
    from clgym.replication.sessions.command import run_campaign
    from clgym.replication.sessions.job import SessionSpec

    good = SessionSpec("rest", 0, 5, 0.05, {"preset": "tiny"})
    broken = SessionSpec("no_such_condition", 1, 7, 0.05, {"preset": "tiny"})
    outcome = run_campaign([good, broken], workers=1, ray_address="auto")
    assert [r["spec"]["condition"] for r in outcome.results] == ["rest"]
    assert len(outcome.failures) == 1 and "KeyError" in outcome.failures[0]["error"]
