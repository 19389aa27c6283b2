"""Boot Terrapin under QEMU and talk to its serial console.

A scenario is a function registered with @scenario("name"); it gets a Test
object and boots machines through it:

    @scenario("bios-q35")
    def bios_q35(t):
        with t.boot(boot="bios", machine="q35", smp=2) as m:
            m.wait_prompt()
            out = m.cmd("info")
            t.check(re.search(r"firmware BIOS", out), "info does not say BIOS", out)

Every machine writes its raw serial output to build/test-logs/NAME.log (the
first line of the log is the QEMU command line), and QEMU's own stderr to the
end of that log. A machine is always killed when its `with` block ends.

Python 3 standard library only.
"""

import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = (ROOT / os.environ.get("BUILD", "build")).resolve()
LOG_DIR = BUILD / "test-logs"
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
OVMF_CODE = Path(os.environ.get("OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd"))
OVMF_VARS = Path(os.environ.get("OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd"))

PROMPT = "terrapin> "
# The prompt as it appears after a command's output or at boot: at the start of
# a line (the line editor prints it right after "\r\n").
PROMPT_RE = r"(?:^|\n)terrapin> "

# Timeouts in seconds. Generous: TCG is slow and two jobs share two cores. They
# bound how long a broken build takes to fail; nothing asserts on speed.
PROMPT_TIMEOUT = {"bios": 90, "uefi": 180, "efi": 180}
CMD_TIMEOUT = 30

ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_]|\][^\x07]*\x07)")


class Skip(Exception):
    """Raised by a scenario that cannot run here (with the reason)."""


class Failure(AssertionError):
    """A scenario's check failed; the message says what and shows output."""


def clean(text):
    """Serial text as a person would read it: no escape sequences, no CRs, no
    bells or backspaces."""
    text = ANSI_RE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "")
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)


def printable(text):
    """Like clean(), but shows what remains unprintable as \\xNN."""
    text = ANSI_RE.sub("", text).replace("\r\n", "\n").replace("\r", "")
    return "".join(c if (c == "\n" or " " <= c < "\x7f") else "\\x%02x" % ord(c) for c in text)


def tail(text, lines=40):
    return "\n".join(printable(text).splitlines()[-lines:])


# ---------------------------------------------------------------- registry

SCENARIOS = {}


class Scenario:
    def __init__(self, name, fn, cost, limit):
        self.name = name
        self.fn = fn
        self.cost = cost  # rough seconds, to start long ones first
        self.limit = limit  # hard wall-clock limit in seconds


def scenario(name, cost=10, limit=400):
    """Register a scenario function under `name` (unique)."""

    def register(fn):
        if name in SCENARIOS:
            raise ValueError("scenario %r defined twice" % name)
        SCENARIOS[name] = Scenario(name, fn, cost, limit)
        return fn

    return register


# ---------------------------------------------------------------- images


def rel(path):
    """`path` relative to the repository when it is inside it (for messages)."""
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return str(path)


def iso_path():
    return BUILD / "terrapin.iso"


def need_file(path, why):
    if not Path(path).is_file():
        raise Skip("%s is missing (%s)" % (path, why))
    return Path(path)


def need_ovmf():
    for f in (OVMF_CODE, OVMF_VARS):
        if not f.is_file():
            raise Skip("OVMF firmware %s is missing (install the ovmf package)" % f)


_esp_lock = threading.Lock()
_work_dir = None


def _remove_work_dir(path):
    kill_all_machines()  # none may still be using an image
    shutil.rmtree(path, ignore_errors=True)


def work_dir():
    """A directory for images this run builds (ESPs, ISOs, module files),
    private to this process so two runs never overwrite each other's images
    under a running QEMU; removed when the run ends."""
    global _work_dir
    with _esp_lock:
        if _work_dir is None:
            BUILD.mkdir(parents=True, exist_ok=True)
            _work_dir = Path(tempfile.mkdtemp(prefix="test-work-", dir=BUILD))
            atexit.register(_remove_work_dir, _work_dir)
        return _work_dir

# Every QEMU started and not yet closed, so an interrupted run can kill them all.
_live = set()
_live_lock = threading.Lock()


_stopping = False


def stopping():
    """Whether the run was interrupted (kill_all_machines(stop=True))."""
    return _stopping


def kill_all_machines(stop=False):
    """Kill every running QEMU; with stop=True, also refuse to start new ones
    (an interrupted run)."""
    global _stopping
    with _live_lock:
        _stopping = _stopping or stop
        machines = list(_live)
    for m in machines:
        m.kill()


atexit.register(kill_all_machines)


def make_esp(name, cmdline="", modules=()):
    """Build an ESP image with scripts/mkesp.sh as NAME.img in work_dir().
    Skips when the native EFI loader (build/terrapin.efi) is not built."""
    efi = BUILD / "terrapin.efi"
    mkesp = ROOT / "scripts" / "mkesp.sh"
    if not mkesp.is_file():
        raise Skip("scripts/mkesp.sh does not exist yet")
    if not efi.is_file():
        raise Skip("%s is not built (make %s)" % (efi, rel(efi)))
    out = work_dir() / (name + ".img")
    args = [str(mkesp), "-o", str(out), "-e", str(efi), "-c", cmdline]
    for m in modules:
        args += ["-m", m]
    with _esp_lock:
        r = subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=120)
    if r.returncode != 0:
        raise Failure("scripts/mkesp.sh failed (status %d):\n%s" % (r.returncode, r.stdout))
    return out


def make_iso(name, cmdline="", modules=()):
    """Build a GRUB ISO with scripts/mkiso.sh as NAME.iso in work_dir(),
    with Terrapin's command line and module lines ("PATH ARGS")."""
    elf = need_file(BUILD / "terrapin.elf", "make %s" % rel(BUILD / "terrapin.elf"))
    out = work_dir() / (name + ".iso")
    args = [str(ROOT / "scripts" / "mkiso.sh"), "-o", str(out), "-k", str(elf), "-c", cmdline]
    for m in modules:
        args += ["-m", m]
    for attempt in range(3):
        r = subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=300)
        # Known mkiso.sh race: grub-mkrescue's log is written inside the tree
        # xorriso is packing ("Size of file .../log has changed"). Retry that
        # one; anything else fails at once.
        if r.returncode == 0 or not re.search(r'MISHAP : Size of file "[^"]*/log" has changed',
                                               r.stdout):
            break
    if r.returncode != 0:
        raise Failure("scripts/mkiso.sh failed (status %d):\n%s" % (r.returncode, r.stdout))
    return out


# ---------------------------------------------------------------- machine


class Machine:
    """One QEMU running Terrapin, its serial console on QEMU's stdin/stdout.

    boot: "bios" (SeaBIOS, GRUB from the ISO), "uefi" (OVMF, GRUB from the ISO)
    or "efi" (OVMF, the native EFI application from an ESP image `esp` or a
    directory `esp_dir` given to QEMU as fat:rw:DIR).
    """

    def __init__(self, name, boot="bios", machine="q35", smp=2, mem="512M", cpu="max",
                 devices=(), iso=None, esp=None, esp_dir=None, extra=(), debug_exit=True):
        if boot not in PROMPT_TIMEOUT:
            raise ValueError("boot must be bios, uefi or efi, not %r" % boot)
        self.name = name
        self.boot = boot
        self.tmp = None
        self.log = None
        args = [QEMU, "-accel", "tcg", "-machine", machine, "-cpu", cpu, "-smp", str(smp),
                "-m", str(mem), "-no-reboot", "-display", "none", "-monitor", "none",
                "-chardev", "stdio,id=con0,signal=off", "-serial", "chardev:con0"]
        if debug_exit:
            args += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        for d in devices:
            args += ["-device", d]
        if boot in ("uefi", "efi"):
            need_ovmf()
            # A private copy of the variable store per machine (filled in by start()).
            args += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s" % OVMF_CODE,
                     "-drive", "if=pflash,format=raw,unit=1,file=@VARS@"]
        if boot in ("bios", "uefi"):
            iso = Path(iso) if iso else iso_path()
            need_file(iso, "make %s" % rel(iso))
            args += ["-cdrom", str(iso)]
        elif esp_dir:
            args += ["-drive", "format=raw,file=fat:rw:%s" % esp_dir]
        else:
            if not esp:
                raise ValueError("boot='efi' needs esp= or esp_dir=")
            # snapshot: the image is never written, so scenarios may share it
            args += ["-drive", "format=raw,snapshot=on,file=%s" % esp]
        args += list(extra)
        self.args = args

        self.buf = ""  # all serial output, bytes mapped 1:1 to chars (latin-1)
        self.arrivals = []  # (length of buf after a read, monotonic time of that read)
        self.pos = 0  # where the next expect() starts looking
        self.stderr = b""
        self.cond = threading.Condition()
        self.eof = False
        self.proc = None
        self.exit_status = None  # QEMU's, once closed (negative: the signal it died of)
        self.start_time = None
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / (name + ".log")

    # -- lifetime

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="terrapin-test-")
        if any("@VARS@" in a for a in self.args):
            vars_copy = os.path.join(self.tmp, "OVMF_VARS.fd")
            shutil.copyfile(OVMF_VARS, vars_copy)
            self.args = [a.replace("@VARS@", vars_copy) for a in self.args]
        self.log = open(self.log_path, "wb")
        self.log.write(("# " + " ".join(self.args) + "\n").encode())
        self.log.flush()
        with _live_lock:
            if _stopping:
                self.log.close()
                raise Failure("the test run was interrupted")
            self.start_time = time.monotonic()
            self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         cwd=ROOT, start_new_session=True)
            _live.add(self)
        self.readers = [threading.Thread(target=self._read_out, daemon=True),
                        threading.Thread(target=self._read_err, daemon=True)]
        for r in self.readers:
            r.start()
        return self

    def _read_out(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                break
            self.log.write(data)
            self.log.flush()
            now = time.monotonic()
            with self.cond:
                self.buf += data.decode("latin-1")
                self.arrivals.append((len(self.buf), now))
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def _read_err(self):
        data = self.proc.stderr.read()
        with self.cond:
            self.stderr = data or b""

    def kill(self):
        """Stop QEMU (if it still runs) and wait for it."""
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(5)

    def close(self):
        if self.proc is not None:
            self.kill()
            for r in self.readers:
                r.join(5)
            for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    f.close()
                except OSError:
                    pass
            if self.stderr:
                self.log.write(b"\n--- QEMU stderr ---\n" + self.stderr)
            self.exit_status = self.proc.returncode
            self.proc = None
            with _live_lock:
                _live.discard(self)
        if self.log:
            self.log.close()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()
        return False

    def elapsed(self):
        return time.monotonic() - self.start_time

    def arrival(self, offset):
        """Seconds from QEMU's start until the output byte at `offset` arrived."""
        with self.cond:
            for end, when in self.arrivals:
                if end > offset:
                    return when - self.start_time
        return None

    # -- reading

    def output(self):
        with self.cond:
            return self.buf

    def fail(self, what):
        """A Failure saying `what`, with the last serial lines and QEMU's stderr."""
        with self.cond:
            buf = self.buf
            err = self.stderr.decode("utf-8", "replace").strip()
        msg = "%s\n--- last serial lines (%s) ---\n%s" % (what, self.log_path, tail(buf))
        if err:
            msg += "\n--- QEMU stderr ---\n" + err
        return Failure(msg)

    def expect(self, regex, timeout=CMD_TIMEOUT, what=None):
        """Wait for `regex` (a str pattern, searched in the raw serial text after
        the previous match) and return the match; the next search starts after it.
        Raises Failure with the last lines of output on timeout or QEMU exit."""
        rx = re.compile(regex, re.M) if isinstance(regex, str) else regex
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.buf, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if self.eof:
                    break
                if left <= 0:
                    break
                self.cond.wait(min(left, 1.0))
        if self.eof:
            self.proc.wait(5)
            raise self.fail("QEMU exited (status %s) while waiting for %s"
                             % (self.proc.returncode, what or repr(rx.pattern)))
        raise self.fail("timed out after %d s waiting for %s"
                         % (timeout, what or repr(rx.pattern)))

    def wait_prompt(self, timeout=None):
        """Wait for the shell prompt (the first one after boot, or the next)."""
        if timeout is None:
            timeout = PROMPT_TIMEOUT[self.boot]
        return self.expect(PROMPT_RE, timeout, what="the shell prompt %r" % PROMPT)

    def quiet(self, idle=0.5, timeout=30):
        """Wait until the serial line has been silent for `idle` seconds, then
        skip everything received so far. Returns the skipped text."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                n = len(self.buf)
                self.cond.wait(idle)
                if len(self.buf) == n or time.monotonic() > deadline:
                    break
            skipped = self.buf[self.pos:]
            self.pos = len(self.buf)
        return skipped

    # -- writing

    def send_raw(self, data, chunk=16, pause=0.01):
        """Type bytes on the serial line in small paced chunks: QEMU's UART
        takes only a FIFO's worth at a time."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        for i in range(0, len(data), chunk):
            if self.proc.poll() is not None:
                raise self.fail("QEMU exited (status %s) while typing" % self.proc.returncode)
            try:
                self.proc.stdin.write(data[i:i + chunk])
                self.proc.stdin.flush()
            except BrokenPipeError:
                raise self.fail("QEMU's serial input closed while typing")
            time.sleep(pause)

    def cmd(self, line, timeout=CMD_TIMEOUT):
        """Type `line` and Enter at the prompt (call wait_prompt() once after boot
        first) and return the command's output up to the next prompt, cleaned
        (no echo, no escape sequences, "\\n" line ends)."""
        with self.cond:
            start = self.pos
        self.send_raw(line + "\r")
        m = self.expect(PROMPT_RE, timeout, what="the prompt after %r" % line)
        text = clean(self.buf[start:m.start()])
        # The first line is the echo of what we typed.
        _, _, rest = text.partition("\n")
        return rest

    def wait_exit(self, timeout=30):
        """Wait for QEMU to exit by itself; returns its exit status."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise self.fail("QEMU still running %d s later (expected it to exit)" % timeout)
        for r in self.readers:
            r.join(5)
        return status


# ---------------------------------------------------------------- a test


class Test:
    """What a scenario function receives: boots machines, checks things."""

    def __init__(self, name):
        self.name = name
        self.machines = []
        self.timed_out = False
        self.lock = threading.Lock()
        self.notes = []

    def boot(self, **kw):
        """A new Machine (use it with `with`); logs go to NAME.log, then NAME-2.log..."""
        n = len(self.machines) + 1
        log = self.name if n == 1 else "%s-%d" % (self.name, n)
        m = Machine(log, **kw)
        with self.lock:
            if self.timed_out:
                raise Failure("the scenario's time limit was reached")
            self.machines.append(m)
        return m

    def logs(self):
        return [str(m.log_path) for m in self.machines]

    def time_limit(self):
        """Called by the runner's watchdog: stop this scenario's machines, so
        whatever it waits for fails now."""
        self.timed_out = True
        self.kill_all()

    def kill_all(self):
        with self.lock:
            for m in self.machines:
                m.kill()

    def note(self, text):
        """A line of information printed with the result."""
        self.notes.append(text)

    def check(self, cond, what, output=None):
        """Fail with `what` (and the relevant output) unless `cond` holds."""
        if not cond:
            msg = what
            if output is not None:
                msg += "\n--- output ---\n" + tail(output)
            raise Failure(msg)
        return cond

    def search(self, regex, output, what=None, flags=re.M):
        """Return the match of `regex` in `output`, or fail saying so."""
        m = re.search(regex, output, flags)
        if not m:
            raise Failure("%s: no match for %r\n--- output ---\n%s"
                          % (what or "unexpected output", regex, tail(output)))
        return m


def has_command(m, name):
    """Whether this build's `help` lists shell command `name` (for features
    that land later: scenarios skip, saying so, rather than fail)."""
    out = m.cmd("help")
    return re.search(r"^\s+%s\s" % re.escape(name), out, re.M) is not None
