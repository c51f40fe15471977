"""The frozen-probe protocol's analysis: paired tests across cultures, tables, figures, ``summary.md``.

Every number is computed per culture first (the culture is the unit), then summarised across cultures:
``delta`` = end probe - start probe of the fraction of first returns hit (primary) and of the mean rally
length (secondary), and the paper's measure: average rally in the first quarter vs the last 70 % of the
session (DishBrain's 0-5 vs 6-20 min). Tests: paired t-tests across cultures (``scipy.stats.ttest_rel``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from scipy import stats

from clgym.envs.base import TICKS_PER_SECOND

PRIMARY_ALPHA = 0.01
PRIMARY_TEST = ("stimulus", "plasticity_off")
TESTS = (PRIMARY_TEST, ("stimulus", "silent"), ("silent", "no_feedback"), ("yoked", "plasticity_off"),
         ("swapped", "plasticity_off"), ("stimulus", "rest"),
         # the contingency (own play vs replayed stimulation) and the sign of the feedback, compared directly
         ("stimulus", "yoked"), ("stimulus", "swapped"))
PAPER = {  # DishBrain's feedback experiment and groups (docs/dishbrain.md)
    "stimulus": "MCC 0.780 -> 1.020 (p = 1.6e-8); +43.4 % vs rest",
    "silent": "+21.4 % vs rest",
    "no_feedback": "+8.2 % vs rest",
    "rest": "RST 0.765 -> 0.815 (p = 0.29)",
    "in_silico": "IS 0.832 -> 0.801 (p = 0.38)",
    "media_only": "CTL 0.900 -> 0.872 (p = 0.59)",
}


def session_windows(hits: list[int], misses: list[int], ticks: int) -> tuple[float, float]:
    """Average rally (hits before each miss) of the rallies ending in the first quarter and in the last 70 %."""
    hits_arr = np.asarray(hits)
    rallies, ends, last = [], [], -1
    for m in misses:
        rallies.append(int(((hits_arr > last) & (hits_arr < m)).sum()))
        ends.append(m)
        last = m
    rallies, ends = np.asarray(rallies, float), np.asarray(ends)
    early = rallies[ends < 0.25 * ticks]
    late = rallies[ends >= 0.3 * ticks]
    return (float(early.mean()) if early.size else float("nan"), float(late.mean()) if late.size else float("nan"))


def per_culture_rows(results: list[dict]) -> list[dict]:
    rows = []
    for r in results:
        job = r["job"]
        ticks = int(round(job["minutes"] * 60 * TICKS_PER_SECOND))
        for name, rec in r["conditions"].items():
            start, end = rec["start"], rec["end"]
            early, late = session_windows(rec["session"]["hits"], rec["session"]["misses"], ticks)
            row = dict(culture=job["culture_seed"], condition=name,
                       start_first_hit=float(np.mean(start["first_hit"])),
                       end_first_hit=float(np.mean(end["first_hit"])),
                       start_rally=float(np.mean(start["rally"])), end_rally=float(np.mean(end["rally"])),
                       session_hits=len(rec["session"]["hits"]), session_misses=len(rec["session"]["misses"]),
                       paper_early=early, paper_late=late)
            row["delta"] = row["end_first_hit"] - row["start_first_hit"]
            row["rally_delta"] = row["end_rally"] - row["start_rally"]
            row["paper_delta"] = late - early
            plast = rec["session"].get("plasticity") or {}
            row["dw_after_hit"] = plast.get("abs_dw_after_hit", float("nan"))
            row["dw_after_miss"] = plast.get("abs_dw_after_miss", float("nan"))
            row["kappa"] = plast.get("kappa", float("nan"))
            rows.append(row)
    return rows


def _by_condition(rows: list[dict], key: str) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = {}
    for row in rows:
        out.setdefault(row["condition"], {})[row["culture"]] = row[key]
    return out


def summarise(rows: list[dict], key: str) -> dict:
    """Per condition mean +- SEM over cultures, and the paired tests of :data:`TESTS` present in the data."""
    table = _by_condition(rows, key)
    conditions = {}
    for name, values in table.items():
        x = np.array([v for v in values.values() if np.isfinite(v)])
        conditions[name] = dict(n=int(x.size), delta_mean=float(x.mean()) if x.size else float("nan"),
                                delta_sem=float(stats.sem(x)) if x.size > 1 else float("nan"))
    tests = {}
    for a, b in TESTS:
        if a not in table or b not in table:
            continue
        common = sorted(set(table[a]) & set(table[b]))
        x = np.array([table[a][c] for c in common])
        y = np.array([table[b][c] for c in common])
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        if x.size < 2:
            continue
        d = x - y
        if np.allclose(d, d[0]):  # no variance: ttest_rel is undefined; report the difference, p only if d = 0
            p = 1.0 if np.allclose(d, 0) else float("nan")
            t = float("nan")
        else:
            t, p = (float(v) for v in stats.ttest_rel(x, y))
        tests[f"{a}_vs_{b}"] = dict(n=int(x.size), diff=float(d.mean()), diff_sem=float(stats.sem(d)), t=t, p=p)
    return dict(conditions=conditions, tests=tests)


def _figure(summary: dict, title: str, ylabel: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(summary["conditions"])
    means = [summary["conditions"][n]["delta_mean"] for n in names]
    sems = [summary["conditions"][n]["delta_sem"] for n in names]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.bar(range(len(names)), means, yerr=np.nan_to_num(sems), color="#4c72b0", capsize=3)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _nanmean(values) -> float:
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else float("nan")


def _fmt(x: float, digits: int = 3) -> str:
    return "nan" if not np.isfinite(x) else f"{x:+.{digits}f}"


def write_report(results: list[dict], out: Path, *, command: str, wall_s: float) -> dict:
    out = Path(out)
    rows = per_culture_rows(results)
    primary = summarise(rows, "delta")
    rally = summarise(rows, "rally_delta")
    paper = summarise(rows, "paper_delta")
    primary_key = f"{PRIMARY_TEST[0]}_vs_{PRIMARY_TEST[1]}"
    verdict = "not tested (a condition is missing)"
    if primary_key in primary["tests"]:
        t = primary["tests"][primary_key]
        verdict = ("stimulus feedback changed the frozen culture's play more than plasticity-off "
                   f"(p = {t['p']:.3g} < {PRIMARY_ALPHA})" if t["p"] < PRIMARY_ALPHA else
                   f"no effect at alpha {PRIMARY_ALPHA} (p = {t['p']:.3g})")
    cpu = sum(r["cpu_s"] for r in results)
    results_json = dict(command=command, n_cultures=len(results), wall_s=wall_s, cpu_s=cpu,
                        primary=primary, primary_alpha=PRIMARY_ALPHA, primary_test=primary_key, verdict=verdict,
                        secondary_rally=rally, secondary_paper_measure=paper,
                        plasticity=_plasticity_summary(rows))
    (out / "results.json").write_text(json.dumps(results_json, indent=1))
    with open(out / "cultures.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with open(out / "probes.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["culture", "condition", "probe", "serve", "first_hit", "rally"])
        for r in results:
            for name, rec in r["conditions"].items():
                for probe in ("start", "end"):
                    for i, (h, n) in enumerate(zip(rec[probe]["first_hit"], rec[probe]["rally"], strict=True)):
                        writer.writerow([r["job"]["culture_seed"], name, probe, i, h, n])
    _figure(primary, "Primary: change in first returns hit (frozen probe, end - start)", "delta hit fraction",
            out / "primary.png")
    _figure(rally, "Secondary: change in rally length (frozen probe)", "delta hits per serve", out / "rally.png")
    _figure(paper, "Paper's measure: avg rally, last 70 % - first quarter of the session", "delta avg rally",
            out / "paper_measure.png")

    lines = [f"# Frozen-probe protocol: {len(results)} cultures", "", f"`{command}`", "",
             f"Wall {wall_s / 60:.1f} min, CPU {cpu / 60:.1f} min. **Primary ({primary_key}, paired t, alpha "
             f"{PRIMARY_ALPHA}): {verdict}.**", "",
             "| condition | n | start hit | end hit | delta (primary) | delta rally | paper's measure: early -> late "
             "| paper |", "|---|---|---|---|---|---|---|---|"]
    table = {k: _by_condition(rows, k) for k in ("start_first_hit", "end_first_hit", "paper_early", "paper_late")}
    for name, c in primary["conditions"].items():
        mean = {k: _nanmean(list(v[name].values())) for k, v in table.items()}
        r = rally["conditions"][name]
        lines.append(f"| {name} | {c['n']} | {mean['start_first_hit']:.3f} | {mean['end_first_hit']:.3f} | "
                     f"{_fmt(c['delta_mean'])} +- {c['delta_sem']:.3f} | {_fmt(r['delta_mean'], 2)} +- "
                     f"{r['delta_sem']:.2f} | {mean['paper_early']:.3f} -> {mean['paper_late']:.3f} | "
                     f"{PAPER.get(name, '-')} |")
    lines += ["", "Paired tests across cultures (difference of deltas, a - b):", "",
              "| test | endpoint | n | diff | p |", "|---|---|---|---|---|"]
    for label, summary in (("primary", primary), ("rally", rally), ("paper's measure", paper)):
        for key, t in summary["tests"].items():
            lines.append(f"| {key} | {label} | {t['n']} | {_fmt(t['diff'])} +- {t['diff_sem']:.3f} | {t['p']:.3g} |")
    kappa = results_json["plasticity"]
    if kappa:
        lines += ["", "What the feedback does to the weights (session, summed |change| of E->E weights in the 1 s "
                  "after each outcome; kappa = after a miss / after a hit, per culture):", "",
                  "| condition | n | after hit | after miss | kappa |", "|---|---|---|---|---|"]
        for name, k in kappa.items():
            lines.append(f"| {name} | {k['n']} | {k['dw_after_hit']:.4g} | {k['dw_after_miss']:.4g} | "
                         f"{k['kappa_mean']:.3f} +- {k['kappa_sem']:.3f} |")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    return results_json


def _plasticity_summary(rows: list[dict]) -> dict:
    """Per culture condition with weight measurements: mean weight change after hits and misses, and kappa."""
    out = {}
    for name in dict.fromkeys(r["condition"] for r in rows):
        sel = [r for r in rows if r["condition"] == name and np.isfinite(r.get("kappa", float("nan")))]
        if not sel:
            continue
        k = np.array([r["kappa"] for r in sel])
        out[name] = dict(n=len(sel), dw_after_hit=_nanmean([r["dw_after_hit"] for r in sel]),
                         dw_after_miss=_nanmean([r["dw_after_miss"] for r in sel]), kappa_mean=float(k.mean()),
                         kappa_sem=float(stats.sem(k)) if k.size > 1 else float("nan"))
    return out
