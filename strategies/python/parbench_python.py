"""parbench's Python strategies, run by strategies/python/python.go.

Two ways to run a batch of XOR-sum jobs, chosen by the first argument:

  mp    the article's design: a manager fills a multiprocessing.Queue,
        worker Process subclasses pull from it with get_nowait, and a stop
        Event sends them home. Workers are forked for each batch, as the
        article forks them for its one run.
  pool  multiprocessing.Pool, the standard library's own answer. The pool
        is made once, before the hello, and kept across batches. Its
        manager watches the pool's workers: one that dies is reported at
        once, and the job it was running is run again.

Options: --workers=K makes the pool before the hello; --article runs the
article's protocol as written (stop is set as soon as the last job is
queued), which can lose jobs. --inject=leave-early makes every mp worker
wait until every job is queued and then, once it has run a job, find the
queue empty, as empty() does while the manager's feeder thread still holds
jobs: the article's race, made certain. --inject=pool-die-before-start
makes the pool worker that takes job 0 first exit (status 3) before it
records the job, and --inject=pool-die-in-job makes every worker that takes
job 0 exit (status 3) once it has recorded it: the deaths a pool worker can
meet, made certain.

The line protocol (ASCII, one message per line, fields split by one space)
is documented beside its decoder in strategies/python/wire.go. Times are
CLOCK_MONOTONIC nanoseconds, the clock the parent reads too.
"""

import errno
import multiprocessing
import os
import queue
import resource
import signal
import sys
import threading
import time

PROTOCOL = 2

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


def die_with_parent(parent, forker=None):
    """Every worker dies with the manager: PR_SET_PDEATHSIG where Linux
    has it. Returns False where it is not set, and the worker must watch
    getppid() itself (the mp workers' loops do).

    The kernel sends that signal when the thread that forked the worker
    ends, not its process. forker, where given, is the manager thread that
    should have (threading.get_ident(), which a forked child keeps): a pool
    worker forked by another thread, such as the one multiprocessing.Pool
    replaces dead workers from, would be killed when that thread ends, as
    the pool is terminated, at any point, perhaps holding the task queue's
    lock, which then leaves terminate() waiting for ever."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    armed = _libc is not None and (forker is None or threading.get_ident() == forker)
    if armed:
        _libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the manager died before prctl
        os._exit(1)
    return armed


def watch_parent(parent):
    """Exits this process within a second of its parent's death, from a
    thread that sleeps in between."""

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


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


# How often a pool's manager looks at its workers during a batch: a worker
# that dies is reported, and the job it was running queued again, within
# about this long.
WATCH_S = 0.05

# How long a batch may stand still, after a worker died outside a job, with
# jobs left and no worker running one, before the manager acts on it.
STALL_S = 1.0

# How many workers may die running the same job before the batch fails.
MAX_ATTEMPTS = 3

# Set in each pool worker by pool_init.
_starts_fd = -1
_worker_pid = 0
_inject = ""


def pool_init(parent, forker, starts_fd, inject):
    global _starts_fd, _worker_pid, _inject
    if not die_with_parent(parent, forker):
        watch_parent(parent)
    _starts_fd, _worker_pid, _inject = starts_fd, os.getpid(), inject


def pool_job(seq, job, attempt, n, sleep_ns):
    cpu_start = self_cpu_ns()
    if _inject == "pool-die-before-start" and job == 0 and attempt == 1:
        os._exit(3)
    # The start record, which tells the manager what to run again should
    # this worker die: one write(2) of less than PIPE_BUF bytes to a pipe,
    # so a worker killed at any moment has written the whole line or none.
    os.write(_starts_fd, b"%d %d %d\n" % (seq, job, _worker_pid))
    if _inject == "pool-die-in-job" and job == 0:
        os._exit(3)
    s, start, end = run_job(job, n, sleep_ns)
    return job, s, _worker_pid, start, end, cpu_start, self_cpu_ns()


class PoolBroken(Exception):
    """The pool cannot finish the batch: the message says why, naming the
    worker deaths behind it."""


def describe_exit(code):
    if code is not None and code < 0:
        return "killed by signal %d" % -code
    return "exited with status %s" % code


class PoolRunner:
    """multiprocessing.Pool, kept across batches, and its workers watched.

    Pool replaces a worker that dies but not the job it was running, whose
    result then never comes: a batch would wait for ever. So every job
    writes a start record (batch, job, worker pid) to a pipe before it runs,
    and the manager looks at the pool's workers every WATCH_S: they are its
    children (multiprocessing.active_children lists them and reaps the
    dead), less any it had before the pool. A worker found dead is reported
    at once on stdout (a fault line), and the job its last start record
    names, if its result has not come, is queued again. The first look of a
    batch finds the workers that died between batches.

    A worker that dies outside a job may leave the pool stuck: an idle
    worker waits for a task holding the task queue's read lock, and a lock
    held by a dead process is never released, so no worker takes a job
    again. One that dies after taking a job but before writing its start
    record loses that job without a trace. Either shows as a batch that
    stands still: jobs left, none running, no start record for STALL_S.
    The manager then queues the jobs left again, which saves a lost job; if
    the batch is still standing still STALL_S later, the pool is stuck, and
    the batch fails naming the deaths (PoolBroken).
    """

    def __init__(self, ctx, workers, inject):
        self.workers = workers
        self.starts_r, self.starts_w = os.pipe()
        os.set_blocking(self.starts_r, False)
        try:
            # Room for the start records of a WATCH_S of the shortest jobs,
            # so that no worker waits on a full pipe between two looks.
            import fcntl

            fcntl.fcntl(self.starts_r, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
        except (ImportError, OSError):
            pass  # the default size: a worker may then wait up to WATCH_S
        # Children that are not this pool's: those of a pool abandoned
        # before it, not yet reaped.
        self.others = set(multiprocessing.active_children())
        self.pool = ctx.Pool(workers, initializer=pool_init,
                             initargs=(os.getpid(), threading.get_ident(), self.starts_w, inject))
        self.seq = 0  # the batch number, which start records carry
        self.partial = b""  # the start of a start record not read whole
        self.alive = {}  # worker Process -> its worker number
        self.number = {}  # worker pid -> its worker number, dead ones too
        self.cpu = {}  # worker pid -> its CPU time at its latest result
        # Deaths outside a job since the pool last took a job: any of them
        # may hold the task queue's read lock.
        self.suspects = []
        self.watch()

    def watch(self):
        """Notes the pool's workers: each new one gets the lowest free
        worker number, and each that died since the last look is returned,
        as (pid, exit code), the code negative for the signal that killed
        it."""
        now = set(multiprocessing.active_children()) - self.others
        died = sorted((p for p in self.alive if p not in now), key=lambda p: p.pid)
        for p in died:
            del self.alive[p]
            self.cpu.pop(p.pid, None)
        for p in sorted(now, key=lambda p: p.pid):
            if p not in self.alive:
                free = set(range(self.workers)) - set(self.alive.values())
                if free:  # else its predecessor's death shows at the next look
                    self.alive[p] = self.number[p.pid] = min(free)
        return [(p.pid, p.exitcode) for p in died]

    def worker_number(self, pid):
        if pid not in self.number:
            self.watch()
        if pid not in self.number:
            # A worker that ran a job and died between two looks.
            free = set(range(self.workers)) - set(self.alive.values())
            self.number[pid] = min(free) if free else 0
        return self.number[pid]

    def read_starts(self, seq, running):
        """Reads the start records in the pipe; running maps each worker's
        pid to the job of batch seq it last started. Returns whether there
        were any, of any batch."""
        chunks = [self.partial]
        while True:
            try:
                b = os.read(self.starts_r, 1 << 20)
            except OSError as e:
                if e.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                    break
                raise
            if not b:
                break
            chunks.append(b)
        if len(chunks) == 1:
            return False
        lines = b"".join(chunks).split(b"\n")
        self.partial = lines.pop()
        for line in lines:
            s, job, pid = (int(x) for x in line.split())
            if s == seq:
                running[pid] = job
        return True

    def abandon(self):
        """Kills the pool's workers without terminate(), which waits on the
        task queue's read lock that a dead worker may hold. The interpreter
        must then leave with os._exit, since the pool's exit handler would
        call terminate()."""
        for p in multiprocessing.active_children():
            try:
                os.kill(p.pid, signal.SIGKILL)
            except OSError:
                pass
        for p in multiprocessing.active_children():
            p.join(1)

    def close(self):
        """Ends the pool; returns False if it had to be abandoned."""
        for pid, code in self.watch():
            self.suspects.append((pid, code))
        if self.suspects:
            self.abandon()
            return False
        self.pool.terminate()
        self.pool.join()
        os.close(self.starts_r)
        os.close(self.starts_w)
        return True

    def batch(self, req, out):
        self.seq += 1
        return PoolBatch(self, req, out).run()


class PoolBatch:
    """One batch of a PoolRunner's."""

    def __init__(self, runner, req, out):
        self.runner, self.out = runner, out
        self.jobs, self.n, self.sleep_ns, self.gap_ns, self.t0, _ = req
        self.seq = runner.seq
        self.attempts = []  # job -> its submissions, the first first
        self.running = {}  # worker pid -> the job it last started
        self.next_look = 0.0
        self.quiet_since = time.monotonic()  # the latest start record or rescue
        self.rescued = False  # the jobs left were queued again in this stall

    def run(self):
        """Returns (results, cpu_ns), or raises PoolBroken."""
        cpu0 = self_cpu_ns()
        # The first look, for workers that died between batches, comes once
        # job 0 is queued, so as not to delay it.
        for j in range(self.jobs):
            self.wait_until(self.t0 + j * self.gap_ns)
            self.attempts.append([])
            self.submit(j)
            if time.monotonic() >= self.next_look:
                self.look()
        got, worker_cpu = [], 0
        runner = self.runner
        for j in range(self.jobs):
            while True:
                done = next((a for a in self.attempts[j] if a.ready()), None)
                if done is not None:
                    break
                self.attempts[j][-1].wait(WATCH_S)
                if time.monotonic() >= self.next_look:
                    self.look()
            job, s, pid, start, end, c0, c1 = done.get()
            # A worker's CPU since its previous result, or, for its first,
            # since it began this job: its start-up is not the batch's.
            worker_cpu += c1 - runner.cpu.get(pid, c0)
            runner.cpu[pid] = c1
            got.append((job, s, runner.worker_number(pid), start, end))
        # The start records of the batch's last jobs: one read after a death
        # outside a job shows that the pool still takes jobs.
        self.look()
        return got, self_cpu_ns() - cpu0 + worker_cpu

    def wait_until(self, t_ns):
        while True:
            d = t_ns - now_ns()
            if d <= 0:
                return
            time.sleep(min(d / 1e9, WATCH_S))
            if time.monotonic() >= self.next_look:
                self.look()

    def submit(self, j):
        tries = self.attempts[j]
        tries.append(self.runner.pool.apply_async(pool_job, (self.seq, j, len(tries) + 1, self.n, self.sleep_ns)))

    def finished(self, j):
        return any(a.ready() for a in self.attempts[j])

    def look(self):
        runner = self.runner
        now = time.monotonic()
        self.next_look = now + WATCH_S
        # Deaths first, then start records: a record read now was written
        # before any death seen now is handled (so the job a dead worker
        # started is known), and a record read at a later look was written
        # after every death seen now.
        died = runner.watch()
        if runner.read_starts(self.seq, self.running):
            runner.suspects = []  # the pool took a job since they died
            self.quiet_since, self.rescued = now, False
        for pid, code in died:
            job = self.running.pop(pid, -1)
            if job >= 0 and not self.finished(job):
                if len(self.attempts[job]) >= MAX_ATTEMPTS:
                    self.fault(pid, code, job)
                    raise PoolBroken("job %d was running in %d pool workers that died, the last pid %d (%s)"
                                     % (job, len(self.attempts[job]), pid, describe_exit(code)))
                self.submit(job)
            else:
                job = -1
                runner.suspects.append((pid, code))
            self.fault(pid, code, job)
        if runner.suspects and now - self.quiet_since >= STALL_S:
            self.stalled(now)

    def fault(self, pid, code, job):
        self.out.write("fault %d %d %d\n" % (pid, code if code is not None else 255, job))
        self.out.flush()

    def stalled(self, now):
        """Acts on a batch standing still after a death outside a job."""
        alive = {p.pid for p in self.runner.alive}
        if any(pid in alive and not self.finished(j) for pid, j in self.running.items()):
            return  # a worker is running a job: the batch is not standing still
        left = [j for j in range(len(self.attempts)) if not self.finished(j)]
        if not left:
            return
        deaths = ", ".join("pid %d (%s)" % (pid, describe_exit(code)) for pid, code in self.runner.suspects)
        if self.rescued:
            raise PoolBroken(
                "the pool is stuck: no worker has taken a job for %.0f s since pool workers died outside a job: %s; "
                "multiprocessing.Pool cannot recover a worker that dies holding its task queue's lock"
                % (2 * STALL_S, deaths))
        for j in left:
            if len(self.attempts[j]) >= MAX_ATTEMPTS:
                raise PoolBroken("job %d was queued %d times and never ran after pool workers died outside a job: %s"
                                 % (j, len(self.attempts[j]), deaths))
            self.submit(j)
        self.quiet_since, self.rescued = now, True


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
        runner = PoolRunner(ctx, int(opts["workers"]), inject)
    out = sys.stdout
    out.write("hello %d %d.%d.%d\n" % ((PROTOCOL,) + tuple(sys.version_info[:3])))
    out.flush()
    abandoned = False
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
                        abandoned |= not runner.close()
                    runner = PoolRunner(ctx, req[5], inject)
                try:
                    got, cpu = runner.batch(req, out)
                except PoolBroken as e:
                    out.write("error %s\n" % str(e)[:900])
                    out.flush()
                    runner.abandon()
                    os._exit(1)
            out.write("".join("result %d %d %d %d %d\n" % r for r in got))
            out.write("done %d %d\n" % (len(got), cpu))
            out.flush()
    finally:
        if runner is not None:
            abandoned |= not runner.close()
    if abandoned:
        out.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
