"""parbench's Python strategies, run by strategies/python/python.go.

Two ways to run a batch of XOR-sum jobs, chosen by the first argument:

  mp    the article's design: a manager fills a multiprocessing.Queue,
        worker Process subclasses pull from it with get_nowait, and a stop
        Event sends them home. Workers are forked for each batch, as the
        article forks them for its one run.
  pool  multiprocessing.Pool, the standard library's own answer. The pool
        is made once, before the hello, and kept across batches.

Options: --workers=K makes the pool before the hello; --article runs the
article's protocol as written (stop is set as soon as the last job is
queued), which can lose jobs. --inject=leave-early makes every mp worker
wait until every job is queued and then, once it has run a job, find the
queue empty, as empty() does while the manager's feeder thread still holds
jobs: the article's race, made certain.

The line protocol (ASCII, one message per line, fields split by one space)
is documented beside its decoder in strategies/python/wire.go. Times are
CLOCK_MONOTONIC nanoseconds, the clock the parent reads too.
"""

import multiprocessing
import os
import queue
import resource
import signal
import sys
import time

PROTOCOL = 1

# The most elements one list of the kernel holds: about 40 MB in CPython
# (a pointer and an int object each), so an absurd n costs time, not
# memory. The article's n, 500000, is one list.
KERNEL_CHUNK = 1_000_000

try:
    import ctypes

    _libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
except Exception:  # no ctypes: workers fall back to watching their parent
    _libc = None


def now_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def wait_until(t_ns):
    while True:
        d = t_ns - now_ns()
        if d <= 0:
            return
        time.sleep(d / 1e9)


def wrap64(s):
    """s as Go's int64 arithmetic would leave it."""
    return ((s + (1 << 63)) % (1 << 64)) - (1 << 63)


def xorsum(job, n):
    """The article's job, sum([(job)^i for i in range(500000)]), as
    written: a list built, then summed, which costs about three times what a
    generator's sum does. An n above KERNEL_CHUNK is summed one list of at
    most KERNEL_CHUNK elements at a time: each element costs what the
    article's do, and memory stays bounded."""
    s = 0
    for lo in range(0, n, KERNEL_CHUNK):
        s += sum([job ^ i for i in range(lo, min(lo + KERNEL_CHUNK, n))])
    return wrap64(s)


def run_job(job, n, sleep_ns):
    start = now_ns()
    s = xorsum(job, n)
    if sleep_ns > 0:
        time.sleep(sleep_ns / 1e9)
    return s, start, now_ns()


def self_cpu_ns():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return int((ru.ru_utime + ru.ru_stime) * 1e9)


def children_cpu_ns():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((ru.ru_utime + ru.ru_stime) * 1e9)


def die_with_parent(parent):
    """Every worker dies with the manager: PR_SET_PDEATHSIG where Linux
    has it; elsewhere the workers' loops watch getppid()."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if _libc is not None:
        _libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the manager died before prctl
        os._exit(1)


class Worker(multiprocessing.get_context("fork").Process):
    """The article's worker: pulls jobs with get_nowait until the queue is
    empty and the stop event is set."""

    def __init__(self, index, tasks, results, stop, queued, n, sleep_ns, inject):
        super().__init__(daemon=True)
        self.index, self.tasks, self.results, self.stop = index, tasks, results, stop
        self.queued = queued
        self.n, self.sleep_ns, self.inject = n, sleep_ns, inject
        self.manager = os.getpid()

    def run(self):
        die_with_parent(self.manager)
        tasks, stop = self.tasks, self.stop
        ran = 0
        empty = tasks.empty
        if self.inject == "leave-early":
            # The race's outcome, made certain: empty() answers True once
            # this worker has run a job, as it does when the manager's
            # feeder thread has not yet written the rest to the pipe.
            self.queued.wait()

            def empty():
                return ran >= 1

        # The article's loop, word for word but for the guard on the
        # manager's death.
        while not empty() or not stop.is_set():
            try:
                job = tasks.get_nowait()
            except queue.Empty:
                if os.getppid() != self.manager:
                    os._exit(1)
                continue
            s, start, end = run_job(job, self.n, self.sleep_ns)
            self.results.put((job, s, self.index, start, end))
            ran += 1


def mp_batch(ctx, req, article, inject):
    """One batch of the article's design; returns (results, cpu_ns)."""
    jobs, n, sleep_ns, gap_ns, t0, workers = req
    cpu0 = self_cpu_ns() + children_cpu_ns()
    tasks, results, stop, queued = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    procs = [Worker(i, tasks, results, stop, queued, n, sleep_ns, inject) for i in range(workers)]
    for p in procs:
        p.start()
    # add_jobs(): each job is queued at its release time, so none starts
    # before it.
    for j in range(jobs):
        wait_until(t0 + j * gap_ns)
        tasks.put(j)
    if article:
        # The article's terminate(), called as soon as add_jobs() returns.
        # put() only hands a job to the queue's feeder thread, which writes
        # it to the pipe later, and empty() looks at the pipe: a worker that
        # sees an empty pipe and then the stop event goes home with jobs
        # still on their way, and when every worker has done so they are
        # lost.
        stop.set()
    queued.set()  # only the injected fault waits for it
    got = []
    while len(got) < jobs:
        try:
            got.append(results.get(timeout=0.05))
        except queue.Empty:
            if not any(p.is_alive() for p in procs):
                break  # every worker went home: what is missing is lost
    # THE FIX, the one change to the article's protocol: terminate() is
    # called once every queued job's result is in, not as soon as the last
    # job is queued. A worker then leaves only when no job is left to
    # lose, whatever empty() and get_nowait() answer in the meantime.
    stop.set()
    # Results that came after every worker had left (none, unless lost
    # jobs were counted wrong) are still read, so no worker blocks at exit
    # flushing its result queue.
    while True:
        try:
            got.append(results.get(timeout=0.01))
        except queue.Empty:
            break
    for p in procs:
        p.join()
    tasks.close()
    if len(got) < jobs:
        tasks.cancel_join_thread()  # lost jobs may still sit in its buffer
    else:
        # Its feeder thread is gone before the next batch forks: a process
        # with threads is no safe place to fork from.
        tasks.join_thread()
    results.close()
    return got, self_cpu_ns() + children_cpu_ns() - cpu0


def pool_init(parent):
    die_with_parent(parent)


def pool_job(job, n, sleep_ns):
    cpu_start = self_cpu_ns()
    s, start, end = run_job(job, n, sleep_ns)
    return job, s, os.getpid(), start, end, cpu_start, self_cpu_ns()


class PoolRunner:
    """multiprocessing.Pool, kept across batches."""

    def __init__(self, ctx, workers):
        self.ctx, self.workers = ctx, workers
        self.pool = ctx.Pool(workers, initializer=pool_init, initargs=(os.getpid(),))
        self.index = {}  # worker pid -> worker number, in order of first result
        self.cpu = {}  # worker pid -> its CPU time at its latest result

    def close(self):
        self.pool.terminate()
        self.pool.join()

    def batch(self, req):
        jobs, n, sleep_ns, gap_ns, t0, workers = req
        cpu0 = self_cpu_ns()
        pending = []
        for j in range(jobs):
            wait_until(t0 + j * gap_ns)
            pending.append(self.pool.apply_async(pool_job, (j, n, sleep_ns)))
        got, worker_cpu = [], 0
        for a in pending:
            job, s, pid, start, end, c0, c1 = a.get()
            w = self.index.setdefault(pid, len(self.index))
            # A worker's CPU since its previous result, or, for its first,
            # since it began this job: its start-up is not the batch's.
            worker_cpu += c1 - self.cpu.get(pid, c0)
            self.cpu[pid] = c1
            got.append((job, s, w, start, end))
        return got, self_cpu_ns() - cpu0 + worker_cpu


def parse_request(line):
    f = line.split()
    if len(f) != 7 or f[0] != "batch":
        raise ValueError("want: batch <jobs> <n> <sleep_ns> <gap_ns> <t0_ns> <workers>")
    req = tuple(int(x) for x in f[1:])
    jobs, n, sleep_ns, gap_ns, t0, workers = req
    if jobs < 1 or n < 1 or sleep_ns < 0 or gap_ns < 0 or workers < 1:
        raise ValueError("batch parameters out of range")
    return req


def main(argv):
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    mode = argv[0] if argv else ""
    opts = dict(a[2:].partition("=")[::2] for a in argv[1:] if a.startswith("--"))
    if mode not in ("mp", "pool"):
        sys.stdout.write("error unknown mode %r: want mp or pool\n" % mode)
        return 2
    ctx = multiprocessing.get_context("fork")
    article = "article" in opts
    inject = opts.get("inject", "")
    runner = None
    if mode == "pool" and opts.get("workers"):
        runner = PoolRunner(ctx, int(opts["workers"]))
    out = sys.stdout
    out.write("hello %d %d.%d.%d\n" % ((PROTOCOL,) + tuple(sys.version_info[:3])))
    out.flush()
    try:
        for line in sys.stdin:
            try:
                req = parse_request(line)
            except ValueError as e:
                out.write("error bad request: %s\n" % e)
                out.flush()
                continue
            if mode == "mp":
                got, cpu = mp_batch(ctx, req, article, inject)
            else:
                if runner is None or runner.workers != req[5]:
                    if runner is not None:
                        runner.close()
                    runner = PoolRunner(ctx, req[5])
                got, cpu = runner.batch(req)
            out.write("".join("result %d %d %d %d %d\n" % r for r in got))
            out.write("done %d %d\n" % (len(got), cpu))
            out.flush()
    finally:
        if runner is not None:
            runner.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
