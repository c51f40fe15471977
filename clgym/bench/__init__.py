"""Benchmarks, one module each, run as ``clgym bench <name>``.

- :mod:`clgym.bench.engine`: the culture engine alone (simulated s per wall s, ns per neuron-step and per
  synaptic event, memory; ``--preset dishbrain`` checks issue 24's goals);
- :mod:`clgym.bench.link`: the closed loop through the in-process and SDK links;
- :mod:`clgym.bench.pong_env`, :mod:`clgym.bench.doom_env`: env throughput (CLPong-v0, CLDoomLite-v0);
- :mod:`clgym.bench.render`: the Pong renderer's tick and frame cost;
- :mod:`clgym.bench.doom_game`: the Doom-lite game tick, senses and first-person frames;
- :mod:`clgym.bench.latency`: p50 / p99 / worst tick of each culture preset (the SDK waits 0.1 s at most;
  issue 24's worst-tick goals);
- :mod:`clgym.bench.jitter`: CLPong in real time through the SDK: p50 / p99 / worst lateness per preset;
- :mod:`clgym.bench.soak`: hours of the SDK link, with the memory of both processes.

:mod:`clgym.bench.env_stepping` holds what the env benchmarks share.
"""

BENCHMARKS = {
    "engine": "clgym.bench.engine",
    "link": "clgym.bench.link",
    "env": "clgym.bench.pong_env",
    "doom-env": "clgym.bench.doom_env",
    "render": "clgym.bench.render",
    "doom": "clgym.bench.doom_game",
    "latency": "clgym.bench.latency",
    "jitter": "clgym.bench.jitter",
    "soak": "clgym.bench.soak",
}
