"""Verdict throughput of stem's ExitPolicy.can_exit_to on a policy in tor's descriptor format.

Usage: python3 stem_verdicts.py POLICY PROBES COUNT WARMUP RUNS  (prints a JSON report)

POLICY holds one rule a line, as `GETINFO exit-policy/full` prints it; PROBES one
"address port" a line, of which the first COUNT are checked in every pass. WARMUP passes
(which include stem's lazy parsing of the rules) are not timed.

stem memoises can_exit_to (functools.lru_cache), so a second pass over the same probes
would only time cache hits: the cache is cleared before every pass.
"""

import json
import resource
import sys
import time

import stem
from stem.exit_policy import ExitPolicy


def stem_rule(line):
    # In descriptor format `*` on an accept/reject line means every IPv4 address; stem 1.8
    # reads it as both families, so spell it `*4` (the single line `reject *:*` means both).
    keyword, rest = line.split(" ", 1)
    if not keyword.endswith("6") and rest.startswith("*:") and line != "reject *:*":
        return keyword + " *4:" + rest[2:]
    return line


def main():
    policy_path, probes_path, count, warmup, runs = sys.argv[1:6]
    count, warmup, runs = int(count), int(warmup), int(runs)
    with open(policy_path, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip()]
    probes = []
    with open(probes_path, encoding="utf-8") as handle:
        for line in handle:
            if len(probes) == count:
                break
            address, port = line.split()
            probes.append((address, int(port)))

    start = time.perf_counter()
    policy = ExitPolicy(*[stem_rule(line) for line in lines])
    build_ms = (time.perf_counter() - start) * 1000.0

    verdicts = []
    for _ in range(warmup):
        ExitPolicy.can_exit_to.cache_clear()
        verdicts = [policy.can_exit_to(address, port) for address, port in probes]
    times = []
    for _ in range(runs):
        ExitPolicy.can_exit_to.cache_clear()
        start = time.perf_counter()
        verdicts = [policy.can_exit_to(address, port) for address, port in probes]
        times.append((time.perf_counter() - start) * 1000.0)

    json.dump(
        {
            "version": stem.__version__,
            "rules": len(lines),
            "buildMs": build_ms,
            "probes": len(probes),
            "passMs": times,
            "verdicts": ["accept" if v else "reject" for v in verdicts],
            "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
