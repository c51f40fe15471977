"""Run independent jobs on local worker processes or as Ray tasks, keeping every result and every failure.

Both designs use it: the session design (:func:`clgym.replication.sessions.job.run_session` per session) and the
frozen-probe protocol (:func:`clgym.replication.protocol.job.run_culture` per culture). A failed job is reported
through ``failed`` and the others go on; ``finished`` gets each result as it arrives, so a caller can save it and
an interrupted campaign can be resumed. Ray tasks are not retried (``max_retries=0``): a failure is reported,
never silently run again. Local workers die with the campaign process (``PR_SET_PDEATHSIG``), and Ctrl-C stops
the queue and the workers: no process outlives the command.

Example::

    run_jobs(run_culture, jobs, workers=2, ray_address=None,
             finished=save, failed=lambda job, error: print(job, error))
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

PR_SET_PDEATHSIG = 1  # prctl option: a signal for this process when its parent dies


def run_jobs(fn: Callable, jobs: Sequence, workers: int, ray_address: str | None, finished: Callable,
             failed: Callable, desc: str = "jobs") -> None:
    """Call ``fn(job)`` for every job: in this process (``workers <= 1``), on a local pool, or on Ray."""
    from tqdm import tqdm

    with tqdm(total=len(jobs), desc=desc, unit=desc.rstrip("s") or "job", file=sys.stderr) as bar:
        if ray_address is not None:
            _run_on_ray(fn, jobs, ray_address, finished, failed, bar)
        elif workers <= 1:
            for job in jobs:
                try:
                    result = fn(job)
                except Exception as error:  # one job's failure is reported, not fatal
                    failed(job, error)
                else:
                    finished(result)
                bar.update(1)
        else:
            _run_on_pool(fn, jobs, workers, finished, failed, bar)


def _run_on_ray(fn, jobs, ray_address: str, finished, failed, bar) -> None:
    try:
        import ray
    except ImportError:
        raise SystemExit("--ray-address needs Ray, which is not installed: pip install 'clgym[ray]'") from None
    if not ray.is_initialized():
        ray.init(address=ray_address)
    remote = ray.remote(num_cpus=1, max_retries=0)(fn)
    pending = {remote.remote(job): job for job in jobs}
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        job = pending.pop(done[0])
        try:
            result = ray.get(done[0])
        except Exception as error:  # a task's error (RayTaskError) or a lost worker
            failed(job, error)
        else:
            finished(result)
        bar.update(1)


def _run_on_pool(fn, jobs, workers: int, finished, failed, bar) -> None:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                             initializer=_end_with_parent) as pool:
        try:
            futures = {pool.submit(fn, job): job for job in jobs}
            for future in as_completed(futures):
                try:
                    result = future.result()
                except Exception as error:  # includes a worker that died (BrokenProcessPool)
                    failed(futures[future], error)
                else:
                    finished(result)
                bar.update(1)
        except BaseException:
            # Ctrl-C: a worker turns SIGINT/SIGTERM into an exception of its job and would wait for the next
            # one, so stop the queue and end the workers (this process's own children)
            pool.shutdown(wait=False, cancel_futures=True)
            for process in multiprocessing.active_children():
                process.kill()
            raise


def _end_with_parent() -> None:
    """In a worker: be killed when the campaign process dies, however it dies (Linux; elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
