"""Turns the raw measurements of Benchmarks/run into figures, ratios and goals.

    python3 Benchmarks/report.py WORKDIR [OUT.md]

WORKDIR holds hyperfine's JSON exports, /usr/bin/time -v outputs, the
simulator's /_sim/stats answers and meta.txt (see Benchmarks/run; `--raw DIR`
keeps them). Prints the report; with OUT.md also writes it there, followed by
Benchmarks/OPTIMIZATIONS.md.
Python standard library only.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_meta(work: str) -> dict:
    meta = {}
    with open(os.path.join(work, "meta.txt"), encoding="utf-8") as f:
        for line in f:
            name, _, value = line.rstrip("\n").partition("=")
            meta[name] = value
    return meta


def medians(work: str, name: str) -> list[tuple[float, float, float]]:
    """(median, min, max) in ms of each command of a hyperfine export, in command order.

    A measurement taken in rounds (NAME-r1.json, NAME-r2.json, …) pools each
    command's runs over all rounds, in the first round's command order.
    """
    single = os.path.join(work, name + ".json")
    rounds = sorted(
        (f for f in os.listdir(work) if re.fullmatch(re.escape(name) + r"-r\d+\.json", f)),
        key=lambda f: int(f[len(name) + 2:-5]))
    files = [single] if os.path.exists(single) else [os.path.join(work, f) for f in rounds]
    pooled: dict[str, list[float]] = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            for result in json.load(f)["results"]:
                pooled.setdefault(result["command"], []).extend(t * 1000 for t in result["times"])
    return [(statistics.median(times), min(times), max(times)) for times in pooled.values()]


def has_measurement(work: str, name: str) -> bool:
    """Whether the run has measurement NAME (NAME.json or its rounds): an older
    raw directory, from before a section existed, renders without it."""
    return any(re.fullmatch(re.escape(name) + r"(-r\d+)?\.json", f) for f in os.listdir(work))


def check_exit_codes(work: str, name: str) -> None:
    """Stops the report when a timed run exited otherwise than it should.

    The listing rounds run hyperfine with -i because `keyctl audit` exits 9
    when it has findings (every key is one here); so each run's exit code is
    checked: 9 for the audit, 0 for everything else.
    """
    for path in sorted(f for f in os.listdir(work) if re.fullmatch(re.escape(name) + r"(-r\d+)?\.json", f)):
        with open(os.path.join(work, path), encoding="utf-8") as f:
            for result in json.load(f)["results"]:
                expected = 9 if " audit " in result["command"] else 0
                codes = set(result.get("exit_codes") or [expected])
                if codes != {expected}:
                    sys.exit(f"report.py: '{result['command']}' exited {sorted(codes)} in {path}, "
                             f"expected {expected}: its timings mean nothing")


def rss_kib(work: str, label: str) -> float | None:
    """Median peak RSS (KiB) over the runs rss-LABEL-N.txt."""
    values = []
    for name in sorted(os.listdir(work)):
        if re.fullmatch(re.escape(f"rss-{label}-") + r"\d+\.txt", name):
            with open(os.path.join(work, name), encoding="utf-8") as f:
                match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
            if match:
                values.append(int(match.group(1)))
    return statistics.median(values) if values else None


def stats(work: str, name: str) -> dict:
    with open(os.path.join(work, f"stats-{name}.json"), encoding="utf-8") as f:
        return json.load(f)["by_provider"]


def listed(work: str, name: str) -> dict:
    """Keys per provider in an ndjson output."""
    counts: dict = {}
    with open(os.path.join(work, f"out-{name}.txt"), encoding="utf-8") as f:
        for line in f:
            match = re.match(r'\{"provider":"(\w+)"', line)
            if match:
                counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return counts


def minimum_requests(provider: str, keys: int) -> int:
    """The fewest list requests the provider's API allows for `keys` keys at 100 a page."""
    if provider == "px0":
        return 1  # one response holds the whole list
    if provider == "openrouter":
        return keys // 100 + 1  # no has_more: only a short page proves the end
    return max(1, math.ceil(keys / 100))  # fal and Cartesia say has_more=false on the last page


def ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def mib(kib: float | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.1f} MiB"


def ratio(value: float) -> str:
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def timing_row(label: str, figure: tuple[float, float, float], extra: str | None = None) -> str:
    median, low, high = figure
    row = f"| {label} | {ms(median)} | {ms(low)} – {ms(high)} |"
    return row if extra is None else row + f" {extra} |"


def main() -> int:
    work = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else None
    meta = load_meta(work)
    n = int(meta["list_keys"])
    small, large = int(meta["rss_small"]), int(meta["rss_large"])
    goals: list[tuple[str, str, str, bool]] = []

    def goal(name: str, measured: str, target: str, ok: bool) -> None:
        goals.append((name, measured, target, ok))

    lines: list[str] = []
    add = lines.append

    # start-up
    version, helptext, curl = medians(work, "startup")
    add("### Start-up")
    add("")
    add(f"The installed binary (`{meta['build']}`, installed under a temporary prefix).")
    add("")
    add("| command | median | range | / curl --version |")
    add("| --- | ---: | ---: | ---: |")
    add(timing_row("`keyctl --version`", version, ratio(version[0] / curl[0])))
    add(timing_row("`keyctl --help`", helptext, ratio(helptext[0] / curl[0])))
    add(timing_row("`curl --version`", curl, "1.00x"))
    add("")
    goal("start-up of the installed binary: `keyctl --version` / `curl --version`",
         ratio(version[0] / curl[0]), "≤ 1.2x", version[0] / curl[0] <= 1.2)
    goal("start-up: `keyctl --help` / `curl --version`", ratio(helptext[0] / curl[0]), "≤ 3x",
         helptext[0] / curl[0] <= 3)

    # listing
    for delay in (0, 20):
        check_exit_codes(work, f"list{delay}")
        ndjson, jsonout, floor, audit = medians(work, f"list{delay}")
        (loop,) = medians(work, f"loop{delay}")
        title = "no added latency" if delay == 0 else f"{delay} ms added to every request"
        add(f"### Listing {n:,} fal keys, {title}")
        add("")
        add(f"{n // 100} pages of 100. The floor is one `curl` process fetching the same page "
            "URLs over one connection; the loop is `Benchmarks/curl-jq-loop.sh` (one `curl` "
            "and two `jq` per page).")
        add("")
        add("| command | median | range | / floor |")
        add("| --- | ---: | ---: | ---: |")
        add(timing_row("`keyctl list -p fal -o ndjson`", ndjson, ratio(ndjson[0] / floor[0])))
        add(timing_row("`keyctl list -p fal -o json`", jsonout, ratio(jsonout[0] / floor[0])))
        add(timing_row("floor: one `curl`, one connection", floor, "1.00x"))
        add(timing_row("curl + jq loop", loop, ratio(loop[0] / floor[0])))
        add(timing_row("`keyctl audit -p fal -o ndjson` (every key a finding)", audit,
                       ratio(audit[0] / floor[0])))
        add("")
        add(f"keyctl audit / keyctl list of the same keys (ndjson): "
            f"**{ratio(audit[0] / ndjson[0])}**.")
        add("")
        line = (f"curl+jq loop / keyctl: {ratio(loop[0] / ndjson[0])} (ndjson), "
                f"{ratio(loop[0] / jsonout[0])} (json).")
        if delay == 0:
            line += (f" The loop takes {ratio(loop[0] / floor[0])} the floor, so 20x needs "
                     f"keyctl within {loop[0] / floor[0] / 20:.2f}x of the floor.")
        add(line)
        add("")
        limit = 2 if delay == 0 else 1.05
        for fmt, figure in (("ndjson", ndjson), ("json", jsonout)):
            value = figure[0] / floor[0]
            goal(f"{n:,} fal keys, {delay} ms/request: keyctl -o {fmt} / floor", ratio(value),
                 f"≤ {limit}x", value <= limit)
        value = audit[0] / ndjson[0]
        goal(f"{n:,} fal keys, {delay} ms/request: keyctl audit / keyctl list (ndjson)",
             ratio(value), "≤ 1.1x", value <= 1.1)
        if delay == 0:
            for fmt, figure in (("ndjson", ndjson), ("json", jsonout)):
                value = loop[0] / figure[0]
                goal(f"{n:,} fal keys, 0 ms/request: curl+jq loop / keyctl -o {fmt}",
                     ratio(value), "≥ 20x", value >= 20)

    # the fast server
    if has_measurement(work, "fast"):
        check_exit_codes(work, "fast")
        ndjson, jsonout, floor = medians(work, "fast")
        add(f"### Listing {n:,} fal keys from a fast server")
        add("")
        add("`Benchmarks/fastserver.py` answers each page from memory (pre-rendered by the "
            "simulator's own fal code) in well under a millisecond, so what remains beyond the "
            "floor is the CPU keyctl spends per key and per request. Same floor: one `curl`, "
            "one connection, the same page URLs.")
        add("")
        add("| command | median | range | / floor |")
        add("| --- | ---: | ---: | ---: |")
        add(timing_row("`keyctl list -p fal -o ndjson`", ndjson, ratio(ndjson[0] / floor[0])))
        add(timing_row("`keyctl list -p fal -o json`", jsonout, ratio(jsonout[0] / floor[0])))
        add(timing_row("floor: one `curl`, one connection", floor, "1.00x"))
        add("")
        with open(os.path.join(work, "stats-fast.json"), encoding="utf-8") as f:
            fast = json.load(f)
        add(f"keyctl sent {fast['requests']} requests over {fast['connections']} connection(s).")
        add("")
        goal(f"{n:,} fal keys, fast server: keyctl -o ndjson / floor", ratio(ndjson[0] / floor[0]),
             "≤ 1.5x", ndjson[0] / floor[0] <= 1.5)

    # OpenRouter's offset paging
    if has_measurement(work, "openrouter"):
        check_exit_codes(work, "openrouter")
        keyctl, floor = medians(work, "openrouter")
        keys, window = int(meta["or_keys"]), int(meta["or_window"])
        pages = minimum_requests("openrouter", keys)
        sent = stats(work, "openrouter")["openrouter"]
        floor_sent = stats(work, "openrouter-floor")["openrouter"]
        add(f"### OpenRouter: {keys:,} keys, 50 ms added to every request")
        add("")
        add(f"`keyctl {meta['or_args']}` against the floor: one `curl` fetching the {pages} "
            f"page URLs keyctl needs (offset 0, 100, …, {keys:,}; the last, empty page proves "
            f"the end) one after another over one connection. Offsets do not depend on the "
            f"previous page, so keyctl may keep up to {window} pages in flight (its default "
            "window).")
        add("")
        add("| command | median | range | / floor | requests | connections |")
        add("| --- | ---: | ---: | ---: | ---: | ---: |")
        add(timing_row("`keyctl list -p openrouter`", keyctl,
                       f"{ratio(keyctl[0] / floor[0])} | {sent['requests']} | {sent['connections']}"))
        add(timing_row("floor: one `curl`, one connection", floor,
                       f"1.00x | {floor_sent['requests']} | {floor_sent['connections']}"))
        add("")
        per_page = sent["requests"] / pages
        limit = 1 + (window - 1) / pages
        add(f"Requests sent / pages needed: **{per_page:.3f}** (at most {limit:.3f}: "
            f"the window may ask for up to {window - 1} offsets past the end before the short "
            "page arrives).")
        add("")
        goal(f"OpenRouter {keys:,} keys, 50 ms/request: keyctl / floor", ratio(keyctl[0] / floor[0]),
             "≤ 0.35x", keyctl[0] / floor[0] <= 0.35)
        goal(f"OpenRouter {keys:,} keys: requests sent / pages needed", f"{per_page:.3f}",
             f"≤ {limit:.3f} (1 + (W − 1)/pages, W = {window})", per_page <= limit + 1e-9)
        goal(f"OpenRouter {keys:,} keys: TCP connections", str(sent["connections"]),
             f"≤ {window} (W)", sent["connections"] <= window)

    # bulk delete
    if has_measurement(work, "delete"):
        check_exit_codes(work, "delete")
        check_exit_codes(work, "deleteloop")
        (keyctl,) = medians(work, "delete")
        (loop,) = medians(work, "deleteloop")
        count = int(meta["delete_keys"])
        sent = stats(work, "delete")["fal"]
        add(f"### Deleting {count:,} fal keys, 20 ms added to every request")
        add("")
        add(f"`keyctl delete -p fal --yes -o ndjson ID…` (the {count:,} ids as arguments) "
            "against `Benchmarks/curl-delete-loop.sh`: one `curl -X DELETE` per key, one "
            "after another, as a shell user would write it. The simulator is re-seeded "
            "before every run.")
        add("")
        add("| command | median | range | / curl loop |")
        add("| --- | ---: | ---: | ---: |")
        add(timing_row("`keyctl delete`", keyctl, ratio(keyctl[0] / loop[0])))
        add(timing_row("curl loop", loop, "1.00x"))
        add("")
        add(f"keyctl sent {sent['requests']} requests over {sent['connections']} connection(s).")
        add("")
        goal(f"delete {count:,} fal keys, 20 ms/request: keyctl / curl loop",
             ratio(keyctl[0] / loop[0]), "≤ 0.2x", keyctl[0] / loop[0] <= 0.2)

    # requests and connections
    add("### Requests and TCP connections per listing")
    add("")
    add("From the simulator's `/_sim/stats` after one run; the minimum is what the API "
        "allows at 100 keys a page (px0 answers in one response; OpenRouter needs a short "
        "page to prove the end). Sequential providers must send exactly the minimum over one "
        "connection; OpenRouter's windowed paging (W pages in flight, default 4) may ask for up "
        "to W − 1 pages past the end, over at most W connections.")
    add("")
    add("| listing | provider | keys | requests | minimum | connections |")
    add("| --- | --- | ---: | ---: | ---: | ---: |")
    rows = [("list-ndjson", f"`keyctl list -p fal -o ndjson` ({n:,} keys)"),
            ("list-json", f"`keyctl list -p fal -o json` ({n:,} keys)"),
            ("list-floor", "floor: one `curl`"),
            (f"rss-{large}", f"`keyctl list -p fal -o ndjson` ({large:,} keys)"),
            ("fanout", "`keyctl list -o ndjson` (four providers)")]
    all_minimal = True
    for name, label in rows:
        by_provider = stats(work, name)
        counts = listed(work, name) if name not in ("list-json", "list-floor") else {"fal": n}
        for provider, figures in by_provider.items():
            if figures["requests"] == 0:
                continue
            keys = counts.get(provider, 0)
            minimum = minimum_requests(provider, keys)
            if name != "list-floor" and provider == "openrouter":
                window = int(meta.get("or_window", 4))
                all_minimal &= (minimum <= figures["requests"] <= minimum + window - 1
                                and figures["connections"] <= window)
            elif name != "list-floor":
                all_minimal &= figures["requests"] == minimum and figures["connections"] == 1
            add(f"| {label} | {provider} | {keys:,} | {figures['requests']} | {minimum} | "
                f"{figures['connections']} |")
    add("")
    goal("keyctl requests = API minimum over one TCP connection per provider "
         "(OpenRouter: ≤ minimum + W − 1 over ≤ W)",
         "yes" if all_minimal else "no", "every listing above", all_minimal)

    # fan-out
    for delay in (50, 300):
        everything, *singles = medians(work, f"fan{delay}")
        slowest = max(s[0] for s in singles)
        total = sum(s[0] for s in singles)
        add(f"### Fan-out over four providers, {delay} ms added to every request")
        add("")
        add(f"Simulator counts: `{meta['fan_counts']}`.")
        add("")
        add("| command | median | range |")
        add("| --- | ---: | ---: |")
        add(timing_row("`keyctl list -o ndjson` (all four)", everything))
        for name, figure in zip(("fal", "px0", "cartesia", "openrouter"), singles):
            add(timing_row(f"`keyctl list -p {name} -o ndjson`", figure))
        add("")
        add(f"Sum of the four: {ms(total)}; slowest single: {ms(slowest)}. "
            f"Fan-out / slowest single: **{ratio(everything[0] / slowest)}**; "
            f"fan-out / sum: {ratio(everything[0] / total)}.")
        add("")
        goal(f"fan-out, {delay} ms/request: all four / slowest single",
             ratio(everything[0] / slowest), "≤ 1.2x", everything[0] / slowest <= 1.2)

    # memory
    add("### Peak RSS (`/usr/bin/time -v`)")
    add("")
    add("| listing | list ndjson | list json | audit ndjson |")
    add("| --- | ---: | ---: | ---: |")
    add(f"| `keyctl --version` (baseline) | {mib(rss_kib(work, 'baseline'))} | | |")
    for count in (small, large):
        add(f"| {count:,} fal keys | {mib(rss_kib(work, f'ndjson-{count}'))} | "
            f"{mib(rss_kib(work, f'json-{count}'))} | {mib(rss_kib(work, f'audit-{count}'))} |")
    add("")
    growth = {}
    for fmt in ("ndjson", "json", "audit"):
        a, b = rss_kib(work, f"{fmt}-{small}"), rss_kib(work, f"{fmt}-{large}")
        growth[fmt] = None if a is None or b is None else b - a
    add(f"Growth from {small:,} to {large:,} keys: list ndjson {mib(growth['ndjson'])}, "
        f"list json {mib(growth['json'])}, audit ndjson (every key a finding) "
        f"{mib(growth['audit'])}.")
    add("")
    for fmt, label in (("ndjson", "ndjson"), ("audit", "audit ndjson")):
        ok = growth[fmt] is not None and growth[fmt] <= 10 * 1024
        goal(f"{label} peak RSS growth, {small:,} → {large:,} keys", mib(growth[fmt]),
             "≤ 10 MiB", ok)

    # assemble
    quick = meta.get("quick") == "1"
    head = ["# keyctl benchmark results", ""]
    head.append(f"Produced by `Benchmarks/run{' --quick' if quick else ''}` on {meta['date']} "
                f"in {meta['duration']}. Times are medians; every listing runs against the "
                "provider simulator (`Scripts/simulator`) on loopback, except the fast-server "
                "one (`Benchmarks/fastserver.py`).")
    head.append("")
    head.append("## Machine")
    head.append("")
    head.append(f"- {meta['nproc']} CPU(s): {meta['cpu']}; memory {meta['memory']}; "
                f"{meta['kernel']}")
    head.append(f"- {meta['swift']}; keyctl built with `{meta['build']}`")
    head.append(f"- {meta['tools']}")
    busy = meta.get("busy_start", "?")
    head.append(f"- CPU busy with other work in the 2 s before measuring: {busy}%; "
                f"load average (1, 5, 15 min) after the build {meta['load_start']}, "
                f"at the end {meta['load_end']}")
    try:
        shared = int(busy) >= 10
    except ValueError:
        shared = False
    if shared:
        head.append("- **The machine was shared**: other processes were using the CPU when "
                    "the run started, so absolute times are noisier than on an idle machine.")
    if meta.get("note"):
        head.append(f"- Note: {meta['note']}")
    head.append(f"- Runs per figure: {meta['runs']}")
    head.append("")
    head.append("## Goals")
    head.append("")
    head.append("| goal | measured | target | result |")
    head.append("| --- | ---: | ---: | --- |")
    for name, measured, target, ok in goals:
        result = "pass" if ok else ("miss (quick)" if quick else "**FAIL**")
        head.append(f"| {name} | {measured} | {target} | {result} |")
    head.append("")
    if quick:
        head.append("_Quick mode: fewer runs and smaller listings than the goals name, so the "
                    "results are indicative only (start-up weighs more in a short listing); "
                    "use the full run for the record._")
        head.append("")
    head.append("## Figures")
    head.append("")
    report = "\n".join(head + lines)
    print(report)
    if out:
        extra = os.path.join(HERE, "OPTIMIZATIONS.md")
        if os.path.exists(extra):
            with open(extra, encoding="utf-8") as f:
                report += "\n" + f.read()
        with open(out, "w", encoding="utf-8") as f:
            f.write(report.rstrip("\n") + "\n")
        print(f"\nwrote {out}", file=sys.stderr)
    failed = [name for name, _, _, ok in goals if not ok]
    if failed:
        print(f"\n{len(failed)} goal(s) missed: " + "; ".join(failed), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
