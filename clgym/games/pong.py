"""DishBrain's Pong as plain Python: no Gymnasium, no culture, one 10 ms tick per :meth:`PongGame.step`.

Geometry and timing from the authors' replay frames (``docs/dishbrain.md``):

* a 600 x 600 field, y pointing up (y = 0 is the bottom wall); the paddle lies on the left wall (x = 0), 250
  units long, and moves along y by the velocity it is given each tick (DishBrain's decoder output, units per
  tick);
* the ball moves 2 units per tick in x (crossing the field takes 300 ticks = 3 s); top, bottom and right walls
  reflect it; at the paddle's wall it is a hit if the paddle covers the crossing point (x is reflected, the
  y-speed is kept) and a miss otherwise;
* a serve starts from the centre heading away from the paddle with a y-speed drawn uniformly in 0.04-1.92
  units per tick and a random sign, so the ball first reaches the paddle 450 ticks (4.5 s) after a serve;
* after a miss the paddle is re-centred and a new ball is served (``reset_ball_on_miss=False``, the
  "no-feedback" condition, lets the ball bounce off the wall behind the paddle instead).

The ball is a point by default (``ball_radius=0``), which keeps the paper's 3 s crossing exact; freezing play
after a miss is the feedback's job (the env simply does not call :meth:`PongGame.step` while paused).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["PongParams", "PongState", "PongGame", "HIT", "MISS"]

HIT = "hit"
MISS = "miss"


@dataclass(frozen=True)
class PongParams:
    """Rules and geometry of the game (defaults: DishBrain's).

    Args:
        width: Field width (x), field units.
        height: Field height (y), field units.
        paddle_length: Paddle length along y.
        ball_speed_x: |x-velocity| of the ball per tick (constant).
        serve_x: Serve x (``None``: the centre).
        serve_y: Serve y (``None``: the centre).
        serve_vy_min: Smallest |y-velocity| of a serve, per tick.
        serve_vy_max: Largest |y-velocity| of a serve, per tick.
        ball_radius: Ball radius for collisions (0: a point, as the paper's timing implies).
        reset_ball_on_miss: Serve a new ball after a miss (``False``: it bounces off the wall behind the
            paddle).
        recenter_paddle_on_miss: Move the paddle back to the centre after a miss.
        clip_paddle: Keep the whole paddle inside the field (else only its centre).
    """

    width: float = 600.0
    height: float = 600.0
    paddle_length: float = 250.0
    ball_speed_x: float = 2.0
    serve_x: float | None = None
    serve_y: float | None = None
    serve_vy_min: float = 0.04
    serve_vy_max: float = 1.92
    ball_radius: float = 0.0
    reset_ball_on_miss: bool = True
    recenter_paddle_on_miss: bool = True
    clip_paddle: bool = True

    def __post_init__(self) -> None:
        def positive(name: str) -> None:
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise ValueError(f"PongParams.{name} = {v!r}; allowed: a positive number")

        for name in ("width", "height", "paddle_length", "ball_speed_x"):
            positive(name)
        if not 0 <= self.serve_vy_min <= self.serve_vy_max or not math.isfinite(self.serve_vy_max):
            raise ValueError(
                f"PongParams serve y-speed range [{self.serve_vy_min}, {self.serve_vy_max}]; allowed: "
                "0 <= serve_vy_min <= serve_vy_max, finite"
            )
        if not 0 <= self.ball_radius < min(self.width, self.height) / 2:
            raise ValueError(f"PongParams.ball_radius = {self.ball_radius}; allowed: 0 <= r < half the field")
        if self.paddle_length > self.height:
            raise ValueError(
                f"PongParams.paddle_length = {self.paddle_length}; allowed: <= height ({self.height})"
            )
        r = self.ball_radius
        for name, v, hi in (("serve_x", self.serve_x, self.width), ("serve_y", self.serve_y, self.height)):
            if v is not None and not r <= v <= hi - r:
                raise ValueError(f"PongParams.{name} = {v}; allowed: None (centre) or {r}..{hi - r}")

    @property
    def serve_position(self) -> tuple[float, float]:
        """Where a ball is served."""
        return (
            self.width / 2 if self.serve_x is None else float(self.serve_x),
            self.height / 2 if self.serve_y is None else float(self.serve_y),
        )

    @property
    def paddle_x(self) -> float:
        """x of the paddle's wall (the left wall)."""
        return 0.0

    @property
    def ticks_to_cross(self) -> float:
        """Ticks the ball needs to cross the field in x (300 = 3 s by default)."""
        return (self.width - 2 * self.ball_radius) / self.ball_speed_x


@dataclass(frozen=True, slots=True)
class PongState:
    """A snapshot of the game for observations and rendering (field units, y up)."""

    ball_x: float
    ball_y: float
    ball_vx: float
    ball_vy: float
    paddle_y: float
    paddle_x: float
    paddle_length: float
    width: float
    height: float
    ball_radius: float
    tick: int


class PongGame:
    """The Pong game state and its 10 ms update.

    Args:
        params: Rules and geometry (:class:`PongParams`).
        seed: Seed or ``np.random.Generator`` for the serves.

    Attributes:
        ball_x, ball_y: Ball position.
        ball_vx, ball_vy: Ball velocity per tick.
        paddle_y: Centre of the paddle.
        tick: Ticks stepped since :meth:`reset`.
        hits, misses: Totals since :meth:`reset`.
        rally: Hits since the last miss (or the reset).
        last_rally: Hits of the rally the last miss ended (0 = an ace).
        last_event: Event of the last step (``"hit"``, ``"miss"`` or ``None``).

    Example:
        >>> g = PongGame(seed=0)
        >>> g.ball_vx > 0          # served away from the paddle
        True
        >>> events = [g.step(0.0) for _ in range(450)]
        >>> events[-1] in ("hit", "miss") and events.count(None) == 449
        True
    """

    def __init__(
        self, params: PongParams | None = None, seed: int | np.random.Generator | None = None
    ) -> None:
        self.params = params if params is not None else PongParams()
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.reset()

    def reset(self, seed: int | np.random.Generator | None = None) -> None:
        """Zero the score, centre the paddle and serve (reseed first if ``seed`` is given)."""
        if seed is not None:
            self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.tick = 0
        self.hits = 0
        self.misses = 0
        self.rally = 0
        self.last_rally = 0
        self.last_event: str | None = None
        self.paddle_y = self.params.height / 2
        self.serve()

    def serve(self) -> None:
        """Put the ball at the serve position, heading away from the paddle with a random y-speed."""
        p = self.params
        self.ball_x, self.ball_y = p.serve_position
        self.ball_vx = abs(p.ball_speed_x)
        speed = float(self.rng.uniform(p.serve_vy_min, p.serve_vy_max))
        self.ball_vy = speed if self.rng.integers(2) else -speed

    def _move_paddle(self, velocity: float) -> None:
        p = self.params
        y = self.paddle_y + velocity
        lo, hi = (p.paddle_length / 2, p.height - p.paddle_length / 2) if p.clip_paddle else (0.0, p.height)
        self.paddle_y = lo if y < lo else (hi if y > hi else y)

    def step(self, paddle_velocity: float = 0.0) -> str | None:
        """Advance one tick: move the paddle by ``paddle_velocity`` (+y is up), then the ball.

        Returns:
            ``"hit"``, ``"miss"`` or ``None``.

        Raises:
            ValueError: If ``paddle_velocity`` is not a finite number.
        """
        v = float(paddle_velocity)
        if not math.isfinite(v):
            raise ValueError(
                f"paddle_velocity = {paddle_velocity!r}; allowed: a finite number (units per tick)"
            )
        p = self.params
        r = p.ball_radius
        self.tick += 1
        self._move_paddle(v)
        x0, y0 = self.ball_x, self.ball_y
        x, y_raw = x0 + self.ball_vx, y0 + self.ball_vy
        # top and bottom walls: fold the straight path back into [lo, hi] (works for any speed)
        lo, hi = r, p.height - r
        y = y_raw
        if y < lo or y > hi:
            span = hi - lo
            m = (y - lo) % (2 * span)
            y = lo + (m if m <= span else 2 * span - m)
            if math.floor((y_raw - lo) / span) % 2:  # an odd number of reflections flips the y-speed
                self.ball_vy = -self.ball_vy
        right = p.width - r
        if x >= right and self.ball_vx > 0:
            x = 2 * right - x
            self.ball_vx = -self.ball_vx
        event = None
        wall = p.paddle_x + r
        if x <= wall and self.ball_vx < 0:
            frac = (x0 - wall) / (x0 - x) if x0 != x else 1.0
            y_cross = y0 + frac * (y_raw - y0) if frac < 1.0 else y
            y_cross = min(max(y_cross, lo), hi)
            if abs(y_cross - self.paddle_y) <= p.paddle_length / 2 + r:
                event = HIT
                self.hits += 1
                self.rally += 1
                x = 2 * wall - x
                self.ball_vx = -self.ball_vx
            else:
                event = MISS
                self.misses += 1
                self.last_rally = self.rally
                self.rally = 0
                if p.recenter_paddle_on_miss:
                    self.paddle_y = p.height / 2
                if p.reset_ball_on_miss:
                    self.serve()
                    self.last_event = event
                    return event
                x = 2 * wall - x
                self.ball_vx = -self.ball_vx
        self.ball_x, self.ball_y = x, y
        self.last_event = event
        return event

    def state(self) -> PongState:
        """A frozen snapshot of the game."""
        p = self.params
        return PongState(
            self.ball_x,
            self.ball_y,
            self.ball_vx,
            self.ball_vy,
            self.paddle_y,
            p.paddle_x,
            p.paddle_length,
            p.width,
            p.height,
            p.ball_radius,
            self.tick,
        )

    def score(self) -> dict[str, int]:
        """``{"hits", "misses", "rally"}`` since :meth:`reset`."""
        return {"hits": self.hits, "misses": self.misses, "rally": self.rally}
