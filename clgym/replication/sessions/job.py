"""The session design's job: one seeded ``CLPong-v0`` session the culture plays alone, and what it did per bin.

:func:`run_session` runs in a worker process or a Ray task; it takes a picklable :class:`SessionSpec` and
returns a JSON-able dict (rallies, weights at the start, and per activity bin: spike rate per recording
channel, network bursts per minute, pathway weights, how often the paddle moved toward the ball).

Example
-------
>>> from clgym.replication.sessions.job import SessionSpec
>>> spec = SessionSpec("stimulus", session=0, seed=0, minutes=0.05, culture={"preset": "tiny"})
>>> result = run_session(spec)  # doctest: +SKIP
>>> sorted(result)  # doctest: +SKIP
['bins', 'cpu_seconds', 'initial', 'rally_end_ticks', 'rally_hits', 'spec', 'wall_seconds']
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np

from clgym.analysis.game_metrics import TICKS_PER_MINUTE, RallyCounter
from clgym.replication.conditions import CONDITIONS

ACTIVITY_BINS_PER_SESSION = 20


@dataclass(frozen=True)
class SessionSpec:
    condition: str
    session: int
    seed: int
    minutes: float
    culture: dict
    in_silico_link: str = "in_process"
    long_rally_hits: int = 3


def _open_env(spec: SessionSpec):
    import gymnasium as gym

    import clgym  # noqa: F401 - registers CLPong-v0

    condition = CONDITIONS[spec.condition]
    ticks = int(round(spec.minutes * TICKS_PER_MINUTE))
    kwargs = dict(control="culture", feedback=condition.feedback, episode_ticks=ticks, seed=spec.seed,
                  max_episode_steps=max(ticks, 1))  # sessions longer than the registered 20 minutes too
    if condition.source == "culture":
        return gym.make("CLPong-v0", culture=spec.culture, **kwargs)
    from clgym.links import open_link

    # the SDK's random source in its producer process (link="sdk") or the same source class driven in this
    # process (identical spikes, ~3x faster); media only runs in process
    if condition.source == "media_only":
        link = open_link("media_only", seed=spec.seed)
    else:  # "in_silico"
        link = open_link("random", seed=spec.seed, link=spec.in_silico_link)
    env = gym.make("CLPong-v0", link=link, **kwargs)
    env.unwrapped.session_owned_link = link  # an env never closes a link it was given: run_session does
    return env


class PathwayWeights:
    """Weights of the culture behind an env (NaN when the source has no culture).

    ``w_steer`` asks whether the culture has a pathway that moves the paddle toward the ball: the "up" motor
    region moves the paddle to larger y, so the right pathways run from the sensory neurons of the upper place
    bands (4-7, large y) to the "up" region and from the lower bands (0-3) to the "down" region. ``w_steer`` is
    the mean weight of those right pathways minus that of the wrong ones (upper -> down, lower -> up); it is
    ~0 in a naive culture and would grow if play taught the culture to steer. ``capture_s`` is the
    simulated time with tetanus capture open (``stdp_tagging`` cultures; 0 otherwise).
    """

    def __init__(self, env):
        source = getattr(env.unwrapped.connection.link, "source", None)
        self.culture = getattr(source, "culture", None)
        if self.culture is None:
            return
        c, layout = self.culture, env.unwrapped.layout  # the env's own layout (dishbrain by default)
        excitatory = np.flatnonzero(c.dish.is_exc)

        def near(channels):
            return np.intersect1d(c.neurons_near(list(channels)), excitatory)

        half = len(layout.sensory) // 2
        self.sensory = near(layout.sensory)
        self.motor = near([ch for region in layout.motor for ch in region])
        up, down = (near(layout.motor[layout.motor_names.index(name)]) for name in ("up", "down"))
        lower, upper = near(layout.sensory[:half]), near(layout.sensory[half:])
        self.right = ((upper, up), (lower, down))
        self.wrong = ((upper, down), (lower, up))
        self.excitatory = excitatory

    def weights(self) -> dict[str, float]:
        if self.culture is None:
            return {"w_sensory_to_motor": math.nan, "w_exc_to_exc": math.nan, "w_steer": math.nan,
                    "capture_s": math.nan}
        c = self.culture

        def mean_of(pairs):
            return float(np.mean(np.concatenate([c.weights_between(pre, post) for pre, post in pairs])))

        return {"w_sensory_to_motor": float(np.mean(c.weights_between(self.sensory, self.motor))),
                "w_exc_to_exc": float(np.mean(c.weights_between(self.excitatory, self.excitatory))),
                "w_steer": mean_of(self.right) - mean_of(self.wrong),
                "capture_s": float(getattr(c, "capture_steps", 0)) * c.config.dt_ms / 1000.0}


def run_session(spec: SessionSpec) -> dict:
    """Play one session; return its rallies and, per activity bin, what the culture and paddle did."""
    from clgym.analysis.activity import network_bursts
    from clgym.cl1 import FRAMES_PER_SECOND, RECORDING_CHANNELS
    from clgym.envs.pong import GAME_STATE_FIELDS

    started, started_cpu = time.perf_counter(), time.process_time()
    env = _open_env(spec)
    ticks = int(round(spec.minutes * TICKS_PER_MINUTE))
    bin_ticks = max(1, ticks // ACTIVITY_BINS_PER_SESSION)
    recording_channels = len(RECORDING_CHANNELS)
    y, paddle, paused = (GAME_STATE_FIELDS.index(k) for k in ("ball_y", "paddle_y", "paused"))
    rallies, bins = RallyCounter(), []
    try:
        obs, _ = env.reset(seed=spec.seed)
        pathways = PathwayWeights(env)
        if pathways.culture is not None:  # the culture is grown at reset; no tick has run yet
            CONDITIONS[spec.condition].apply_plasticity(pathways.culture)
        link = env.unwrapped.connection.link
        initial = {"start_min": 0.0, "stop_min": 0.0, **pathways.weights()}
        bin_spikes: list[tuple[np.ndarray, np.ndarray]] = []
        moving = toward = 0
        # the env's own ticks, observed: their spikes for the activity statistics
        link.observe(on_tick=lambda tick: bin_spikes.append((tick.spike_timestamps, tick.spike_channels)))
        bin_start_frame, bin_start_tick = link.timestamp(), 0
        for t in range(ticks):
            previous = obs
            obs, _, _, truncated, info = env.step(0)
            rallies.add(t, info["event"])
            step = obs[paddle] - previous[paddle]
            if not previous[paused] and abs(step) > 1e-6:
                moving += 1
                toward += int((step > 0) == (previous[y] > previous[paddle]))
            if (t + 1) % bin_ticks == 0 or truncated:
                stamps = np.concatenate([s[0] for s in bin_spikes]) if bin_spikes else np.zeros(0, np.int64)
                channels = np.concatenate([s[1] for s in bin_spikes]) if bin_spikes else np.zeros(0, np.int32)
                frames = max(1, link.timestamp() - bin_start_frame)
                bursts = network_bursts(stamps, channels, frames, start_frame=bin_start_frame)
                bins.append({"start_min": bin_start_tick / TICKS_PER_MINUTE,
                             "stop_min": (t + 1) / TICKS_PER_MINUTE,
                             "spike_rate_hz": float(stamps.size / (frames / FRAMES_PER_SECOND) / recording_channels),
                             "bursts_per_minute": float(bursts.per_minute), **pathways.weights(),
                             "moving_ticks": moving, "toward_ball_ticks": toward})
                bin_spikes.clear()
                moving = toward = 0
                bin_start_frame, bin_start_tick = link.timestamp(), t + 1
            if truncated:
                break
    finally:
        env.close()
        owned_link = getattr(env.unwrapped, "session_owned_link", None)
        if owned_link is not None:
            owned_link.close()  # else an SdkLink's producer would outlive the session
    return {"spec": asdict(spec), "rally_end_ticks": rallies.end_ticks, "rally_hits": rallies.hits,
            "initial": initial, "bins": bins, "wall_seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - started_cpu}
