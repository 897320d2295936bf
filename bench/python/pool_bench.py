"""CPython reference for the parapool bench: one workload with multiprocessing.Pool.

Reads a JSON config on stdin (written by bench/src/python.ts: the workload, the
number of processes and repeats, the paths of its binary inputs) and prints a
JSON report on stdout: per method, the times in milliseconds and the sha256 of
the answer as little-endian float64 (or a self-check against Python's own
sequential answer where the work is calibrated per runtime). Standard library
only; written the way the seed tutorials use Pool.
"""

import array
import hashlib
import heapq
import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool


# ---- the work (same as bench/src/work.ts) ------------------------------------

def howmany_within_range(row, minimum, maximum):
    count = 0
    for n in row:
        if minimum <= n <= maximum:
            count += 1
    return count


def howmany_within_range_rowonly(row, minimum=4, maximum=8):
    return howmany_within_range(row, minimum, maximum)


def howmany_within_range2(i, row, minimum, maximum):
    return (i, howmany_within_range(row, minimum, maximum))


def square(n):
    return n * n


def spin(item):
    x, n = item
    x = (x & 0xFFFFFFFF) or 1
    for _ in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
    return x


def fetch(url):
    with urllib.request.urlopen(url) as response:
        return int(response.read())


def fetch_batch(urls):
    # A chunk's requests run concurrently, as the async task does in Node.
    with ThreadPoolExecutor(max_workers=len(urls)) as executor:
        return list(executor.map(fetch, urls))


# ---- helpers ----------------------------------------------------------------

def read_f64(path):
    values = array.array("d")
    with open(path, "rb") as f:
        values.frombytes(f.read())
    if sys.byteorder == "big":
        values.byteswap()
    return values


def digest(values):
    data = array.array("d", values)
    if sys.byteorder == "big":
        data.byteswap()
    return hashlib.sha256(data.tobytes()).hexdigest()


def measure(fn, repeat):
    times = []
    value = None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, value


def row(method, label, items, times, value=None, baseline=None, ok=None, with_digest=True, grain_us=None):
    # method: the bench's method id (bench/src/ids.ts); label: how its tables show it.
    out = {"method": method, "label": label, "items": items, "times": times}
    if grain_us is not None:
        out["grainUs"] = grain_us
    if baseline is not None:
        out["baseline"] = baseline
    if with_digest and value is not None:
        out["digest"] = digest(value)
    if ok is not None:
        out["ok"] = ok
    return out


def spin_rate_per_us():
    iterations = 100_000
    spin((1, iterations))
    best = min(timeit_once(lambda i=i: spin((i + 2, iterations))) for i in range(5))
    return iterations / (best * 1e6)


def timeit_once(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def grain_label(us):
    return f"{us / 1000:g} ms per item" if us >= 1000 else f"{us} µs per item"


def seeds(n, salt):
    # Seeds for the calibrated tasks: any fixed values do (answers are self-checked).
    return [(i * 2654435761 + salt) & 0x7FFFFFFF or 1 for i in range(n)]


def started(processes):
    pool = Pool(processes)
    pool.map(square, range(processes * 4), chunksize=1)  # workers up and running
    return pool


# ---- workloads --------------------------------------------------------------

def howmany(config, p, repeat):
    flat = read_f64(config["rows"])
    cols = config["columns"]
    data = [[int(v) for v in flat[i:i + cols]] for i in range(0, len(flat), cols)]
    sample = data[: config["sample"]]
    chunk = config["imapChunksize"]
    n = len(data)
    seq = []
    t, v = measure(lambda: [howmany_within_range(r, 4, 8) for r in data], repeat)
    seq.append(row("loop", "loop", n, t, v))
    t, v = measure(lambda: [howmany_within_range(r, 4, 8) for r in sample], repeat)
    seq.append(row("loop-sample", "loop (sample)", len(sample), t, v))

    def callback_loop(pool):
        results = []
        pending = [
            pool.apply_async(howmany_within_range2, args=(i, r, 4, 8), callback=results.append)
            for i, r in enumerate(data)
        ]
        for result in pending:
            result.wait()
        results.sort(key=lambda pair: pair[0])
        return [count for _, count in results]

    def get_loop(pool):
        pending = [pool.apply_async(howmany_within_range, args=(r, 4, 8)) for r in data]
        return [result.get() for result in pending]

    methods = []
    with started(p) as pool:
        cases = [
            ("apply-loop-sample", "apply in a loop (sample)", len(sample), "loop-sample",
             lambda: [pool.apply(howmany_within_range, args=(r, 4, 8)) for r in sample]),
            ("map-chunksize-1-sample", "map, chunksize 1 (sample)", len(sample), "loop-sample",
             lambda: pool.map(howmany_within_range_rowonly, sample, chunksize=1)),
            ("apply-async-callback", "applyAsync + callback, sort", n, "loop", lambda: callback_loop(pool)),
            ("apply-async-get", "applyAsync + get()", n, "loop", lambda: get_loop(pool)),
            ("map", "map", n, "loop", lambda: pool.map(howmany_within_range_rowonly, data)),
            ("starmap", "starmap", n, "loop",
             lambda: pool.starmap(howmany_within_range, [(r, 4, 8) for r in data])),
            ("map-async", "mapAsync", n, "loop", lambda: pool.map_async(howmany_within_range_rowonly, data).get()),
            ("starmap-async", "starmapAsync", n, "loop",
             lambda: pool.starmap_async(howmany_within_range, [(r, 4, 8) for r in data]).get()),
            ("imap", f"imap (chunksize {chunk})", n, "loop",
             lambda: list(pool.imap(howmany_within_range_rowonly, data, chunksize=chunk))),
            ("imap-unordered", f"imapUnordered (chunksize {chunk})", n, "loop",
             lambda: sorted(pool.imap_unordered(howmany_within_range_rowonly, data, chunksize=chunk))),
        ]
        for method, label, items, baseline, fn in cases:
            t, v = measure(fn, repeat)
            methods.append(row(method, label, items, t, v, baseline))
    return seq, methods


def square_workload(config, p, repeat):
    xs = [int(v) for v in read_f64(config["xs"])]
    t, v = measure(lambda: [square(x) for x in xs], repeat)
    seq = [row("loop", "loop", len(xs), t, v)]
    with started(p) as pool:
        t, v = measure(lambda: pool.map(square, xs), repeat)
    return seq, [row("map", "map", len(xs), t, v, "loop")]


def cpu_bound(config, p, repeat):
    iterations = max(1, round(config["taskMs"] * 1000 * spin_rate_per_us()))
    items = [(s, iterations) for s in seeds(config["tasks"], 7)]
    t, expected = measure(lambda: [spin(i) for i in items], repeat)
    seq = [row("loop", "loop", len(items), t, with_digest=False)]
    with started(p) as pool:
        t, v = measure(lambda: pool.map(spin, items), repeat)
    return seq, [row("map", "map", len(items), t, baseline="loop", ok=v == expected, with_digest=False)]


def io_bound(config, p, repeat):
    port, chunk = config["port"], config["chunk"]
    urls = [f"http://127.0.0.1:{port}/n/{i}" for i in range(config["requests"])]
    batches = [urls[i:i + chunk] for i in range(0, len(urls), chunk)]
    t, v = measure(lambda: [x for b in batches for x in fetch_batch(b)], repeat)
    seq = [row("loop", f"batches of {chunk}, main thread", len(urls), t, v)]
    with started(p) as pool:
        t, v = measure(lambda: [x for b in pool.map(fetch_batch, batches, chunksize=1) for x in b], repeat)
    return seq, [row("map", f"map (chunksize {chunk})", len(urls), t, v, "loop")]


def sort_workload(config, p, repeat):
    data = read_f64(config["data"]).tolist()
    t, v = measure(lambda: sorted(data), repeat)
    seq = [row("sort-copy", "sort a copy", len(data), t, v)]
    size = -(-len(data) // p)

    def parallel(pool):
        parts = [data[i:i + size] for i in range(0, len(data), size)]
        return list(heapq.merge(*pool.map(sorted, parts, chunksize=1)))

    with started(p) as pool:
        t, v = measure(lambda: parallel(pool), repeat)
    return seq, [row("sort-parts", "sort parts + merge", len(data), t, v, "sort-copy")]


def crossover(config, p, repeat):
    rate = spin_rate_per_us()
    n = config["items"]
    seq, methods = [], []
    with started(p) as pool:
        for k, us in enumerate(config["grainsUs"]):
            items = [(s, max(1, round(us * rate))) for s in seeds(n, k)]
            label = grain_label(us)
            t, expected = measure(lambda: [spin(i) for i in items], repeat)
            seq.append(row("loop", label, n, t, with_digest=False, grain_us=us))
            t, v = measure(lambda: pool.map(spin, items), repeat)
            methods.append(row("map", label, n, t, baseline="loop", ok=v == expected, with_digest=False, grain_us=us))
    return seq, methods


def cold_start(config, p, repeat):
    starts, stops = [], []
    ok = True
    for _ in range(repeat):
        t0 = time.perf_counter()
        pool = Pool(p)
        ok = ok and pool.apply(square, (3,)) == 9
        t1 = time.perf_counter()
        pool.close()
        pool.join()
        t2 = time.perf_counter()
        starts.append((t1 - t0) * 1000)
        stops.append((t2 - t1) * 1000)
    return [], [
        row("cold-start", "Pool() → first result", 1, starts, ok=ok, with_digest=False),
        row("shutdown", "close() + join()", 1, stops, ok=ok, with_digest=False),
    ]


WORKLOADS = {
    "howmany": howmany,
    "square": square_workload,
    "cpu-bound": cpu_bound,
    "io-bound": io_bound,
    "sort": sort_workload,
    "crossover": crossover,
    "cold-start": cold_start,
}


def main():
    config = json.load(sys.stdin)
    run = WORKLOADS[config["workload"]]
    seq, methods = run(config, config["processes"], config["repeat"])
    json.dump({"python": sys.version.split()[0], "sequential": seq, "methods": methods}, sys.stdout)


if __name__ == "__main__":
    main()
