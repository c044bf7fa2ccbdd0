"""Times commands side by side and reports each run's wall time and peak RSS.

Usage: python3 runner.py JOB.json  (prints a JSON report on stdout)

JOB.json: {"warmup": 1, "runs": 5, "commands": [{"id": "...", "argv": [...], "cwd": "...",
"stdout": "file or null"}]}. Every round runs each command once, the order rotating from round
to round so no command always runs first; the warm-up rounds come first and are not reported.
"{run}" in an argument becomes a name unique to the run (e.g. a fresh output folder).

Peak RSS comes from wait4(2) for exactly that child, so it is the command's own high-water
mark (ru_maxrss, KiB on Linux), not this script's. Wall time is measured around spawn and
wait, so it includes process creation, the same for every command.
"""

import json
import os
import sys
import time


def run_once(command, tag):
    argv = [arg.replace("{run}", tag) for arg in command["argv"]]
    stderr_path = command["stderrFile"]
    stdout_path = command.get("stdout") or os.devnull
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        (os.POSIX_SPAWN_OPEN, 2, stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
    ]
    cwd = command.get("cwd")
    # posix_spawn has no cwd argument before Python 3.13: change ours around the spawn.
    previous = os.getcwd()
    start = time.perf_counter()
    if cwd:
        os.chdir(cwd)
    try:
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    finally:
        os.chdir(previous)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    return {
        "wallMs": wall * 1000.0,
        "maxRssKb": usage.ru_maxrss,
        "exitCode": os.waitstatus_to_exitcode(status),
    }


def tail(path, limit=2000):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        job = json.load(handle)
    commands = job["commands"]
    warmup = int(job.get("warmup", 1))
    runs = int(job.get("runs", 5))
    scratch = job["scratch"]
    report = {c["id"]: {"wallMs": [], "maxRssKb": [], "failed": None} for c in commands}
    for index, command in enumerate(commands):
        command["stderrFile"] = os.path.join(scratch, "stderr-%d.txt" % index)
    for round_number in range(warmup + runs):
        shift = round_number % len(commands)
        for command in commands[shift:] + commands[:shift]:
            entry = report[command["id"]]
            if entry["failed"] is not None:
                continue
            tag = ("w%d" if round_number < warmup else "r%d") % round_number
            result = run_once(command, tag)
            expected = command.get("expectExit", [0])
            if result["exitCode"] not in expected:
                entry["failed"] = {
                    "exitCode": result["exitCode"],
                    "stderr": tail(command["stderrFile"]),
                    "argv": command["argv"],
                }
                continue
            if round_number >= warmup:
                entry["wallMs"].append(result["wallMs"])
                entry["maxRssKb"].append(result["maxRssKb"])
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
