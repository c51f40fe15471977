"""The README demo: a culture plays CLPong for a couple of simulated minutes, with DishBrain's feedback.

It writes, in ``out_dir``:

- ``pong_excerpt.gif``: a 12 s excerpt of the session, by default from 8 s before the first hit (the
  session is deterministic, so it is replayed up to there to draw it), at ``gif_fps`` frames per simulated
  second, played back in real time (written with Pillow, which comes with matplotlib; no ffmpeg needed);
- ``pong_frame.png``: one frame, 0.3 s after the session's last hit (the hit's 100 Hz feedback burst shows
  in the raster), or the last frame if the culture never hit;

and prints a summary table: rallies, hits, aces (rallies of 0 hits) and long rallies (>= 3 hits) as
percentages, and the average rally, per analysis window. DishBrain compares 0-5 min with 6-20 min of a
20-minute session; a session of up to 10 minutes is split at half time instead. A rally belongs to the window
in which it ends (its miss). A window is opened to replay the excerpt only when there is a display.

With ``real_time=True`` (``clgym demo --real-time``) the session runs in wall-clock time through the cl SDK
(``link="sdk", real_time=True``): a minute takes a minute, and the table adds how late the ticks reached the env.

>>> from clgym.demo import run_demo
>>> result = run_demo(minutes=0.5, culture="tiny", show=False)        # doctest: +SKIP
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from clgym.analysis.game_metrics import (  # noqa: F401 - re-exported: the demo's table helpers live there
    RallyWindow,
    analysis_windows,
    format_table,
    rally_window,
    summarise_rallies,
)
from clgym.envs.base import TICKS_PER_SECOND

HIGHLIGHT_DELAY_TICKS = 30
EXCERPT_LEAD_IN_SECONDS = 8


@dataclass(frozen=True)
class DemoResult:
    gif_path: Path
    png_path: Path
    windows: list[RallyWindow]
    hits: int
    misses: int
    simulated_seconds: float
    wall_seconds: float
    table: str


def write_gif(frames: list[np.ndarray], path: Path, fps: float) -> Path:
    """Write RGB frames as a looping GIF with one palette built from a sample of the frames."""
    from PIL import Image

    sample = frames[:: max(1, len(frames) // 8)][:8]
    palette = Image.fromarray(np.concatenate(sample, axis=0)).quantize(colors=255,
                                                                       method=Image.Quantize.MEDIANCUT)
    images = [Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    duration_ms = int(round(1000.0 / fps / 10.0)) * 10  # GIF delays are in 10 ms units
    images[0].save(path, save_all=True, append_images=images[1:], duration=duration_ms, loop=0)
    return path


@dataclass
class _Session:
    rally_end_ticks: list[int]
    rally_hits: list[int]
    hit_ticks: list[int]
    frames: list[np.ndarray]
    highlight: np.ndarray | None
    last_info: dict
    wall_seconds: float
    late_ms: list[float] = field(default_factory=list)


def _start_recording(env, path: Path, env_kwargs: dict) -> None:
    """Record the session through the env's link (SDK format), with the culture's config among its attributes."""
    import json

    from clgym.export.nwb import CULTURE_ATTRIBUTE

    link = env.connection.link
    source = getattr(link, "source", None)
    config = getattr(source, "culture_config", None)
    culture = config.to_dict() if config is not None else {"culture": env_kwargs.get("culture"),
                                                            "seed": env_kwargs.get("seed")}
    link.record(path, attributes={CULTURE_ATTRIBUTE: json.dumps(culture, default=str),
                                  "clgym_env": json.dumps({"env_id": "CLPong-v0", "control": "culture",
                                                           **{k: str(v) for k, v in env_kwargs.items()}})})


def _play_session(env_kwargs: dict, ticks: int, excerpt: range, frame_every: int,
                  record_to: Path | None = None) -> _Session:
    """Play ``ticks`` ticks with ``control="culture"``; keep a frame every ``frame_every`` ticks of ``excerpt``;
    with ``record_to``, record the session there (spikes, stims; the env adds the game's events to the stream
    ``game_events``)."""
    from clgym.envs.pong import CLPongEnv  # the engine loads only when the demo runs

    env = CLPongEnv(control="culture", episode_ticks=ticks, render_mode="rgb_array", **env_kwargs)
    session = _Session([], [], [], [], None, {}, 0.0)
    capture_at = None
    started = time.perf_counter()
    try:
        env.reset()
        if record_to is not None:
            _start_recording(env, record_to, env_kwargs)
        for tick in range(ticks):
            _, _, _, truncated, info = env.step(0)
            if "late_ms" in info:
                session.late_ms.append(info["late_ms"])
            if info["event"] == "miss":
                session.rally_end_ticks.append(tick)
                session.rally_hits.append(info["last_rally"])
            elif info["event"] == "hit":
                session.hit_ticks.append(tick)
                capture_at = tick + HIGHLIGHT_DELAY_TICKS
            if tick in excerpt and (tick - excerpt.start) % frame_every == 0:
                session.frames.append(env.render())
            if tick == capture_at or (tick == ticks - 1 and session.highlight is None):
                session.highlight = env.render()
            if truncated:
                break
        session.wall_seconds = time.perf_counter() - started
        session.last_info = info
    finally:
        env.close()
    return session


def _progress_printer(enabled: bool):
    """``say(line)``: ``clgym demo: [12.3 s] line`` on stderr (elapsed since the demo started), or nothing."""
    import sys

    started = time.perf_counter()

    def say(line: str) -> None:
        if enabled:
            print(f"clgym demo: [{time.perf_counter() - started:5.1f} s] {line}", file=sys.stderr, flush=True)

    return say


def run_demo(minutes: float = 2.0, out_dir: str | Path = "out/demo", culture="dishbrain", feedback: str = "stimulus",
             seed: int = 0, show: bool | None = None, excerpt_seconds: float = 12.0,
             excerpt_start_seconds: float | None = None, gif_fps: float = 25.0, long_rally_hits: int = 3,
             quiet: bool = False, real_time: bool = False, progress: bool = False, nwb: bool = False) -> DemoResult:
    """Let a culture play CLPong (``control="culture"``) for ``minutes`` of simulated time; see the module.

    Args:
        minutes: simulated session length.
        out_dir: where the GIF and PNG go (created).
        culture: culture preset name or config (as ``CLPongEnv``'s ``culture``).
        feedback: ``"stimulus"``, ``"silent"``, ``"no_feedback"`` or ``"rest"``.
        seed: seed of the culture, the serves and the miss feedback.
        show: replay the excerpt in a window; ``None``: only if there is a display.
        excerpt_seconds: length of the GIF excerpt (simulated seconds).
        excerpt_start_seconds: where the excerpt starts; ``None``: 8 s before the first hit (the session is
            deterministic, so it is replayed up to the excerpt to draw it), or at 0 without a hit.
        gif_fps: GIF frames per simulated second (a divisor of 100 keeps real-time playback exact).
        long_rally_hits: hits that make a rally "long".
        quiet: do not print the table.
        real_time: play in wall-clock time through the cl SDK (``link="sdk", real_time=True``): one session (not
            deterministic, so not replayed; the excerpt starts at ``excerpt_start_seconds`` or 0), and the table
            gives how late the ticks reached the env (p50 / p99 / worst ``info["late_ms"]``).
        progress: say what is happening on stderr, a line per step with its time (``clgym demo`` does).
        nwb: also record the session (``session.h5``, the cl SDK's format) and write it as Neurodata Without
            Borders (``session.nwb``: spikes, stims, the game's events, the culture's config; needs the ``nwb``
            extra, :mod:`clgym.export.nwb`).
    """
    from clgym.render import PongRenderer, headless

    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not 0 < minutes <= 24 * 60:
        raise ValueError(f"minutes={minutes!r} is not allowed; allowed: 0 < minutes <= 1440")
    if not 0 < gif_fps <= TICKS_PER_SECOND:
        raise ValueError(f"gif_fps={gif_fps!r} is not allowed; allowed: 0 < gif_fps <= {TICKS_PER_SECOND}")
    if not excerpt_seconds > 0:
        raise ValueError(f"excerpt_seconds={excerpt_seconds!r} is not allowed; allowed: > 0")
    total_ticks = max(1, int(round(minutes * 60 * TICKS_PER_SECOND)))
    excerpt_ticks = int(round(excerpt_seconds * TICKS_PER_SECOND))
    frame_every = max(1, int(round(TICKS_PER_SECOND / gif_fps)))
    env_kwargs = dict(culture=culture, feedback=feedback, seed=seed)
    if real_time:
        env_kwargs.update(link="sdk", real_time=True)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    def excerpt_from(start_tick: int) -> range:
        start = min(max(0, start_tick), total_ticks - 1)
        return range(start, min(total_ticks, start + excerpt_ticks))

    if nwb:
        import pynwb  # noqa: F401 - before anything runs: a missing extra fails now, not after the session
    say = _progress_printer(progress)
    if progress:
        from clgym.numba_cache import numba_cache_dir
        from clgym.sources import warm_up_culture_kernels

        say(f"loading the culture's compiled kernels from {numba_cache_dir() or 'Numba cache'} (the first run "
            "compiles them: ~20 s, once) ...")
        warm_up_culture_kernels()
        say("kernels ready")
    say(f"growing the {culture!r} culture and playing {minutes:g} simulated minutes of Pong"
        + (" in wall-clock time" if real_time else "") + " ...")
    recording = out / "session.h5" if nwb else None
    if excerpt_start_seconds is not None or real_time:
        excerpt = excerpt_from(int(round((excerpt_start_seconds or 0.0) * TICKS_PER_SECOND)))
        session = _play_session(env_kwargs, total_ticks, excerpt, frame_every, record_to=recording)
        frames = session.frames
    else:
        session = _play_session(env_kwargs, total_ticks, range(0), frame_every, record_to=recording)
        lead_in = EXCERPT_LEAD_IN_SECONDS * TICKS_PER_SECOND
        excerpt = excerpt_from(session.hit_ticks[0] - lead_in if session.hit_ticks else 0)
        say(f"played in {session.wall_seconds:.1f} s; replaying up to {excerpt.stop / TICKS_PER_SECOND:g} s to draw "
            "the GIF excerpt ...")
        replay = _play_session(env_kwargs, excerpt.stop, excerpt, frame_every)
        if replay.hit_ticks != [t for t in session.hit_ticks if t < excerpt.stop]:
            raise RuntimeError("the replayed session differs from the first run (same seed): not deterministic")
        frames = replay.frames

    say("writing the GIF ...")
    gif_path = write_gif(frames, out / "pong_excerpt.gif", TICKS_PER_SECOND / frame_every)
    png_path = out / "pong_frame.png"
    from PIL import Image

    Image.fromarray(session.highlight).save(png_path)
    windows = summarise_rallies(session.rally_end_ticks, session.rally_hits, minutes, long_rally_hits)
    simulated, wall, info = total_ticks / TICKS_PER_SECOND, session.wall_seconds, session.last_info
    header = (f"CLPong demo: culture {culture!r}, feedback {feedback!r}, seed {seed}: {simulated / 60:g} simulated "
              f"min in {wall:.1f} s wall ({simulated / wall:.0f}x real time); hits {info['hits']}, misses "
              f"{info['misses']}, rally in progress {info['rally']}")
    if real_time:
        late = np.asarray(session.late_ms or [0.0])
        header += (f"\nreal time through the cl SDK: ticks reached the env late by p50 {np.percentile(late, 50):.2f} "
                   f"ms, p99 {np.percentile(late, 99):.2f} ms, worst {late.max():.2f} ms; "
                   f"{int((late > 1000 / TICKS_PER_SECOND).sum())} of {late.size} ticks over a whole tick late")
    table = (f"{header}\n\n{format_table(windows, long_rally_hits)}\n\nGIF ({excerpt.start / TICKS_PER_SECOND:g}-"
             f"{excerpt.stop / TICKS_PER_SECOND:g} s): {gif_path}\nframe: {png_path}")
    if recording is not None:
        from clgym.export.nwb import recording_to_nwb

        say("writing the recording as NWB ...")
        nwb_path = recording_to_nwb(recording, out / "session.nwb",
                                    session_description=f"clgym demo: the {culture!r} culture plays DishBrain Pong "
                                    f"for {minutes:g} simulated minutes, feedback {feedback!r}, seed {seed}")
        table += f"\nrecording: {recording} (cl SDK format), {nwb_path} (NWB)"
    if not quiet:
        print(table)
    if show if show is not None else not headless():
        from clgym.coding import pong_layout

        window = PongRenderer(pong_layout(), fps=TICKS_PER_SECOND / frame_every, title="clgym demo: CLPong excerpt")
        try:
            for frame in frames:
                if not window.show(frame):
                    break
        finally:
            window.close()
    return DemoResult(gif_path, png_path, windows, int(info["hits"]), int(info["misses"]), simulated, wall, table)
