"""Latency statistics per endpoint: the generator's samples, gunicorn's access log."""

from __future__ import annotations

import math
import re
from pathlib import Path

# gunicorn.conf.py: access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)s'
ACCESS_LINE = re.compile(
    r'"(?P<method>\S+) (?P<path>\S+)[^"]*" (?P<status>\d{3}) \S+ (?P<us>\d+)\s*$'
)

ENDPOINTS = [
    ("GET /healthz", "GET", r"^/healthz$"),
    ("GET /accounts/login/", "GET", r"^/accounts/login/$"),
    ("POST /accounts/login/", "POST", r"^/accounts/login/$"),
    ("POST /api/quizzes/[slug]/attempts", "POST", r"^/api/quizzes/[^/]+/attempts$"),
    ("PUT /api/attempts/[id]/answers/[qid]", "PUT", r"^/api/attempts/\d+/answers/\d+$"),
    ("POST /api/attempts/[id]/submit", "POST", r"^/api/attempts/\d+/submit$"),
]
ORDER = [name for name, _, _ in ENDPOINTS]


def endpoint(method: str, path: str) -> str:
    path = path.split("?", 1)[0]
    for name, m, pattern in ENDPOINTS:
        if m == method and re.match(pattern, path):
            return name
    return f"{method} (other)"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def pcts(values: list[float]) -> tuple[float, float, float]:
    return percentile(values, 50), percentile(values, 95), percentile(values, 99)


def client_stats(samples: list[list]) -> dict[str, dict]:
    """Per endpoint: count, errors, throughput over its active window, p50/95/99 ms."""
    grouped: dict[str, list[list]] = {}
    for s in samples:
        grouped.setdefault(s[0], []).append(s)
    out = {}
    for name, rows in grouped.items():
        start = min(r[1] for r in rows)
        end = max(r[1] + r[2] / 1000 for r in rows)
        # A try that failed and was tried again (NODES=2) is not an error: the
        # call's outcome is its last try's.
        retried = sum(1 for r in rows if (r[4] or "").find("retried:") >= 0)
        errors = sum(1 for r in rows if r[4] is not None) - retried
        out[name] = {
            "requests": len(rows),
            "errors": errors,
            "retried": retried,
            "window_s": end - start,
            "rps": len(rows) / (end - start) if end > start else math.nan,
            "ms": pcts([r[2] for r in rows]),
        }
    return out


def read_access_log(path: Path, start: int, end: int | None = None) -> list[tuple]:
    """(endpoint, status, ms) of the lines between two byte offsets."""
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read() if end is None else fh.read(end - start)
    rows = []
    for line in data.decode(errors="replace").splitlines():
        m = ACCESS_LINE.search(line)
        # HAProxy's health checks (bench/procs.py HEALTH_CHECK) are not traffic.
        if m and m["path"] != "/healthz?check=haproxy":
            rows.append(
                (
                    endpoint(m["method"], m["path"]),
                    int(m["status"]),
                    int(m["us"]) / 1000,
                )
            )
    return rows


def server_stats(rows: list[tuple]) -> dict[str, dict]:
    grouped: dict[str, list[float]] = {}
    statuses: dict[str, dict[int, int]] = {}
    for name, status, ms in rows:
        grouped.setdefault(name, []).append(ms)
        by = statuses.setdefault(name, {})
        by[status] = by.get(status, 0) + 1
    return {
        name: {"requests": len(v), "ms": pcts(v), "statuses": statuses[name]}
        for name, v in grouped.items()
    }


def fmt_ms(values) -> str:
    if not values or any(math.isnan(v) for v in values):
        return "-"
    return "/".join(f"{v:.0f}" if v >= 10 else f"{v:.1f}" for v in values)


def table(client: dict[str, dict], server: dict[str, dict]) -> list[str]:
    lines = [
        f"  {'endpoint':38} {'requests':>8} {'errors':>6} {'req/s':>7}"
        f"  {'client p50/p95/p99 ms':>22}  {'server p50/p95/p99 ms':>22}"
    ]
    names = sorted(
        set(client) | set(server),
        key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n),
    )
    for name in names:
        c = client.get(name, {})
        s = server.get(name, {})
        rps = c.get("rps", math.nan)
        lines.append(
            f"  {name:38} {c.get('requests', s.get('requests', 0)):>8}"
            f" {c.get('errors', 0):>6} {'-' if math.isnan(rps) else f'{rps:.1f}':>7}"
            f"  {fmt_ms(c.get('ms')):>22}  {fmt_ms(s.get('ms')):>22}"
        )
    return lines
