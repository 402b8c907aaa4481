#!/usr/bin/env python3
"""Benchmark of `evidence query` and `evidence package` on generated run records.

Generates N records (default 10,000, scripts/gen_evidence.py, seed 1) once as `.json` files and
once as JSON lines, then times, in the same run and on the same files:

- the floor: reading every file's bytes (`cat` of all files to /dev/null), which no reader of
  the records can beat;
- a plain Python loop that `json.load`s every record (what a script of one's own would do);
- `controlgate evidence query DIR --control BCK-001 --exception EXC-2026-001 -f json`;
- `controlgate evidence package BCK-001 --since 2026-04-01 --until 2026-06-30 DIR -f json`
  (a quarter) and the same in Markdown.

Each figure is the median of --runs runs, with its ratio to the floor, and the peak RSS of
controlgate's runs. Files are read from the
page cache (a first untimed pass warms it): the figures are of the reading, not of the disk.

Usage: scripts/bench_evidence.py [--n 10000] [--runs 3] [--binary target/release/controlgate]
The release binary is built first unless --binary is given.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd, runs):
    """Median wall time of `runs` runs, the largest peak RSS (MB) and the last run's output."""
    times, rss = [], 0
    for _ in range(runs):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            t = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=out, stderr=err)
            _, status, usage = os.wait4(p.pid, 0)
            times.append(time.perf_counter() - t)
            rss = max(rss, usage.ru_maxrss / 1024)
            out.seek(0)
            err.seek(0)
            stdout = out.read()
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"{' '.join(map(str, cmd))} failed ({status}):\n{err.read().decode()}")
    return statistics.median(times), stdout, rss


def python_loop(files):
    n = 0
    for f in files:
        if f.suffix == ".jsonl":
            for line in f.read_text().splitlines():
                if line.strip():
                    json.loads(line)
                    n += 1
        else:
            with open(f) as fh:
                json.load(fh)
            n += 1
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", type=Path)
    a = ap.parse_args()
    binary = a.binary
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
        binary = ROOT / "target/release/controlgate"
    work = Path(tempfile.mkdtemp(prefix="bench-evidence-"))
    try:
        print(f"{a.n} records, median of {a.runs} runs; {platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}")
        for layout, flag in [("json files", []), ("JSON lines", ["--jsonl"])]:
            d = work / layout.replace(" ", "-")
            subprocess.run([sys.executable, ROOT / "scripts/gen_evidence.py", str(a.n), d, "--seed", "1", *flag],
                           check=True, stdout=subprocess.DEVNULL)
            files = sorted(p for p in d.rglob("*") if p.is_file())
            size = sum(p.stat().st_size for p in files)
            subprocess.run(["cat", *files], stdout=subprocess.DEVNULL, check=True)  # warm the cache
            floor, _, _ = timed(["sh", "-c", 'find "$0" -type f -exec cat {} + > /dev/null', d], a.runs)
            py = []
            for _ in range(a.runs):
                t = time.perf_counter()
                assert python_loop(files) == a.n
                py.append(time.perf_counter() - t)
            rows = [("floor: cat every file", floor, None), ("python json.load loop", statistics.median(py), None)]
            q, out, q_rss = timed([binary, "evidence", "query", d, "--control", "BCK-001", "--exception", "EXC-2026-001",
                            "-f", "json"], a.runs)
            matched = json.loads(out)["matched"]
            rows.append((f"evidence query ({matched} runs match)", q, q_rss))
            p, out, p_rss = timed([binary, "evidence", "package", "BCK-001", "--since", "2026-04-01", "--until", "2026-06-30",
                            d, "-f", "json"], a.runs)
            runs = json.loads(out)["evidence"]["runs"]
            rows.append((f"evidence package, a quarter ({runs} runs), json", p, p_rss))
            m, _, m_rss = timed([binary, "evidence", "package", "BCK-001", "--since", "2026-04-01", "--until", "2026-06-30",
                          d], a.runs)
            rows.append(("evidence package, a quarter, markdown", m, m_rss))
            print(f"\n{layout}: {len(files)} files, {size / 1e6:.0f} MB")
            print(f"{'':48} {'seconds':>8} {'/ floor':>8} {'peak RSS':>9}")
            for name, t, mem in rows:
                shown = f"{mem:6.0f} MB" if mem is not None else ""
                print(f"{name:48} {t:8.2f} {t / floor:8.1f} {shown:>9}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
