#!/usr/bin/env python3
"""Boot Terrapin under Bochs and talk to its serial console: the Bochs
counterpart of harness.Machine, for the CPU models QEMU's TCG lacks (`ryzen`:
SVM with NPT and next-RIP save; `corei7_skylake_x`: VT-x with EPT).

    with bochs.boot(t, cpu="ryzen", smp=2, iso=iso) as m:
        m.wait_prompt()
        out = m.cmd("info")

A BochsMachine has harness.Machine's interface (start/kill/close, `with`,
expect, wait_prompt, quiet, cmd, send_raw, output, wait_exit, elapsed). Its
serial output goes to build/test-logs/NAME.log (first lines: the command line
and the bochsrc), Bochs's own log to build/test-logs/NAME.bochs.log; the
panics and errors from that log and the Bochs terminal's last lines are added
to the end of NAME.log when the machine closes.

Run as a program (scripts/run-bochs.sh), it boots Terrapin with the shell on
this terminal:

    python3 tests/bochs.py [--cpu ryzen|corei7_skylake_x] [--iso PATH] [--smp N] [--mem MiB]

Why it is built this way (Debian's Bochs 2.7; see /work/shared/PLATFORM.md):
- There is no headless display library: Bochs gets the `term` display on a
  pseudo-terminal this module owns and drains.
- The internal debugger is compiled in. It stops before the first instruction
  (answered by a `-rc` file holding `c`) and again whenever a CPU triple
  faults, even inside an SVM guest whose SHUTDOWN intercept then turns the
  triple fault into a #VMEXIT: the terminal reader answers every `<bochs:N>`
  prompt with `c` (and counts them).
- A triple fault is also logged as a PANIC from the CPU before the SHUTDOWN
  intercept is checked, so CPU panics are only reported; a fatal action would
  end Bochs right there. Other panics stay fatal: ACPI S5 ends Bochs through
  the ACPI device's "soft power off" panic.
- The serial port is in `socket-client` mode, connecting to a socket this
  module listens on at 127.0.0.1 with a port the kernel picks, so parallel
  runs never clash. Bochs's UART takes a byte from the socket whenever its
  timer fires, FIFO full or not, so input goes in at most 16 bytes at a time.
- Bochs catches SIGTERM (and may then wait in its debugger): it is stopped
  with SIGKILL. It does not lock CD-ROM images, so machines can share an ISO.

Python 3 standard library only.
"""

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import (BUILD, LOG_DIR, PROMPT_RE, Failure, Skip, iso_path,  # noqa: E402
                     need_file, rel, tail)

BOCHS = os.environ.get("BOCHS", "bochs")  # Debian's wrapper: runs bochs-bin -q
BIOS_ROM = Path(os.environ.get("BOCHS_BIOS", "/usr/share/bochs/BIOS-bochs-latest"))
VGA_ROM = Path(os.environ.get("BOCHS_VGABIOS", "/usr/share/vgabios/vgabios.bin"))

# Timeouts in seconds, generous: Debian's Bochs runs ~60 M instructions/s,
# shared between the emulated CPUs, and two runs share two cores. Boot to the
# prompt takes 10-25 s here.
PROMPT_TIMEOUT = 180
CMD_TIMEOUT = 60
CONNECT_TIMEOUT = 60  # from starting Bochs until its UART connects to us
IPS = 100000000  # emulated instructions per emulated second (clock: sync=none)

DEBUGGER_PROMPT_RE = re.compile(rb"<bochs:\d+> ")
MAX_CONTINUES = 100  # a debugger stop in a loop: stop answering, let the test time out
TERM_KEEP = 256 * 1024  # bytes of the Bochs terminal transcript kept
UART_FIFO = 16  # bytes Terrapin's UART can hold before Bochs overruns it
# Bochs logs every intercepted I/O instruction of an SVM guest as an error.
LOG_NOISE_RE = re.compile(r"SVM VMEXIT: I/O port")


# ---------------------------------------------------------------- availability

_probe = None
_probe_lock = threading.Lock()


def _probe_bochs():
    """(CPU models this Bochs knows, its plugin directory or None), asked once."""
    global _probe
    with _probe_lock:
        if _probe is None:
            try:
                r = subprocess.run([BOCHS, "--help", "cpu"], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
                out = r.stdout.decode("latin-1")
            except (OSError, subprocess.TimeoutExpired) as e:
                out = "could not run %s: %s" % (BOCHS, e)
            models = set()
            listing = False
            for line in out.splitlines():
                if line.startswith("Supported CPU models"):
                    listing = True
                elif listing and re.fullmatch(r"[a-z0-9_]+", line.strip()):
                    models.add(line.strip())
                elif listing and models:
                    listing = False
            plugins = os.environ.get("LTDL_LIBRARY_PATH")
            if not plugins:
                d = re.search(r"compile time default '([^']+)'", out)
                plugins = d.group(1) if d else None
            _probe = (models, plugins, out)
        return _probe


def unavailable(cpu):
    """Why Bochs cannot run CPU model `cpu` here, or None if it can."""
    if shutil.which(BOCHS) is None:
        return "%s is not installed (scripts/deps.sh installs the bochs packages)" % BOCHS
    for rom, pkg in ((BIOS_ROM, "bochsbios"), (VGA_ROM, "vgabios")):
        if not rom.is_file():
            return "Bochs ROM %s is missing (package %s)" % (rom, pkg)
    models, plugins, out = _probe_bochs()
    if not models:
        return "'%s --help cpu' lists no CPU models:\n%s" % (BOCHS, out.strip()[-800:])
    if cpu not in models:
        return "this Bochs has no CPU model %r (it has: %s)" % (cpu, " ".join(sorted(models)))
    if plugins and os.path.isdir(plugins) and not any(
            f.startswith("libbx_term") for f in os.listdir(plugins)):
        return "Bochs's term display is not installed (package bochs-term)"
    return None


def need_bochs(cpu):
    why = unavailable(cpu)
    if why:
        raise Skip(why)


def mib(mem):
    """A RAM size in MiB from 256, "256", "256M" or "1G"."""
    m = re.fullmatch(r"\s*(\d+)\s*([MG]?)i?B?\s*", str(mem), re.I)
    if not m:
        raise ValueError("not a RAM size: %r" % (mem,))
    return int(m.group(1)) * (1024 if m.group(2).upper() == "G" else 1)


def bochsrc(iso, cpu, smp, mem, port, log):
    """The configuration: `iso` on the CD-ROM, COM1 connected to 127.0.0.1:port."""
    # Per-CPU panic actions: see the module doc (triple faults under SVM).
    cpus = ", ".join("cpu%d=report" % i for i in range(smp))
    return "\n".join([
        "romimage: file=%s" % BIOS_ROM,
        "vgaromimage: file=%s" % VGA_ROM,
        "display_library: term",
        "memory: guest=%d, host=%d" % (mem, mem),
        # ignore_bad_msrs=1 (Bochs's default, written out): the models lack some
        # MSRs real parts have (ryzen: VM_CR 0xC0010114), read as 0 with a log line.
        "cpu: model=%s, count=%d, ips=%d, reset_on_triple_fault=0, ignore_bad_msrs=1"
        % (cpu, smp, IPS),
        # Emulated time follows the instruction count: repeatable, and never
        # ahead of a slow host.
        "clock: sync=none",
        "ata0-slave: type=cdrom, path=\"%s\", status=inserted" % iso,
        "boot: cdrom",
        "com1: enabled=1, mode=socket-client, dev=127.0.0.1:%d" % port,
        "sound: driver=dummy",  # else Bochs aborts loading ALSA for the speaker
        "log: \"%s\"" % log,
        "panic: action=fatal, %s" % cpus,
        "error: action=report",
        "info: action=report",
        "debug: action=ignore",
        "",
    ])


def _set_winsize(fd, rows=25, cols=80):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _listen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))  # the kernel picks a free port
    s.listen(1)
    return s


def _spawn(args, cwd):
    """Start Bochs on a new pseudo-terminal; returns (Popen, master fd)."""
    master, slave = pty.openpty()
    _set_winsize(slave)
    env = dict(os.environ, TERM="xterm")  # the term display needs a known terminal type
    try:
        proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
                                start_new_session=True)
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)
    return proc, master


def _killpg(proc):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        pass


def log_problems(text, limit=30):
    """The panics and errors in a Bochs log, without the per-exit noise; the
    last `limit` of them and how many there were."""
    lines = [ln for ln in text.splitlines()
             if re.match(r"^\d+[pe]\[", ln) and not LOG_NOISE_RE.search(ln)]
    return lines[-limit:], len(lines)


# ---------------------------------------------------------------- machine


class BochsMachine(harness.Machine):
    """One Bochs running Terrapin from an ISO (BIOS, GRUB, Multiboot2).

    cpu: a Bochs CPU model ("ryzen", "corei7_skylake_x", ...); smp: CPU count;
    mem: RAM in MiB (or "512M", "1G" as harness.Machine takes); iso: default
    build/terrapin.iso."""

    def __init__(self, name, cpu="ryzen", smp=2, mem=256, iso=None):
        need_bochs(cpu)
        iso = Path(iso) if iso else iso_path()
        need_file(iso, "make %s" % rel(iso))
        self.name = name
        self.boot = "bochs"
        self.cpu, self.smp, self.mem, self.iso = cpu, int(smp), mib(mem), iso.resolve()
        self.args = []
        self.tmp = None
        self.log = None
        self.buf = ""  # all serial output, bytes mapped 1:1 to chars (latin-1)
        self.arrivals = []
        self.pos = 0
        self.stderr = b""  # unused (Bochs has a log file and a terminal instead)
        self.cond = threading.Condition()
        self.eof = False
        self.proc = None
        self.start_time = None
        self.readers = []
        self.conn = None
        self.master = None
        self.term = bytearray()  # what Bochs wrote to its terminal (the last TERM_KEEP bytes)
        self.term_total = 0  # bytes Bochs wrote to its terminal in all
        self.continues = 0  # debugger stops answered with `c`
        self.manual = False  # debugger_stop() until debugger_resume(): leave its prompts
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / (name + ".log")
        self.bochs_log_path = LOG_DIR / (name + ".bochs.log")

    # -- lifetime

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="terrapin-bochs-")
        listener = _listen()
        try:
            port = listener.getsockname()[1]
            rc = bochsrc(self.iso, self.cpu, self.smp, self.mem, port, self.bochs_log_path)
            rc_path = os.path.join(self.tmp, "bochsrc")
            dbg_path = os.path.join(self.tmp, "debugger.rc")
            with open(rc_path, "w") as f:
                f.write(rc)
            with open(dbg_path, "w") as f:
                f.write("c\n")  # leave the debugger's first stop
            self.args = [BOCHS, "-q", "-f", rc_path, "-rc", dbg_path]
            self.log = open(self.log_path, "wb")
            head = "# " + " ".join(self.args) + "\n"
            head += "".join("# " + line + "\n" for line in rc.splitlines())
            self.log.write(head.encode())
            self.log.flush()
            with harness._live_lock:
                if harness.stopping():
                    raise Failure("the test run was interrupted")
                self.start_time = time.monotonic()
                self.proc, self.master = _spawn(self.args, self.tmp)
                harness._live.add(self)
            self._thread(self._read_term)
            self.conn = self._accept(listener)
        finally:
            listener.close()
        self._thread(self._read_serial)
        return self

    def _thread(self, fn):
        r = threading.Thread(target=fn, daemon=True)
        self.readers.append(r)
        r.start()

    def _accept(self, listener):
        """Wait for Bochs's UART to connect (it does so while Bochs starts)."""
        listener.settimeout(0.5)
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            try:
                conn, _ = listener.accept()
                conn.settimeout(None)
                return conn
            except socket.timeout:
                pass
            if self.proc.poll() is not None:
                time.sleep(0.5)  # let the terminal reader catch Bochs's last words
                raise self.fail("Bochs exited (status %s) before its serial port connected"
                                % self.proc.returncode)
            if time.monotonic() > deadline:
                raise self.fail("Bochs's serial port did not connect within %d s"
                                % CONNECT_TIMEOUT)

    def _read_serial(self):
        while True:
            try:
                data = self.conn.recv(65536)
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

    def _read_term(self):
        """Drain Bochs's terminal (a full one would stop Bochs) and answer its
        debugger's prompts with `c`."""
        scan = b""
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO once Bochs has closed the terminal
                data = b""
            if not data:
                break
            with self.cond:
                self.term += data
                del self.term[:-TERM_KEEP]
                self.term_total += len(data)
                manual = self.manual
                self.cond.notify_all()
            scan = scan[-16:] + data
            for _ in DEBUGGER_PROMPT_RE.finditer(scan):
                if manual:
                    break
                self.continues += 1
                if self.continues <= MAX_CONTINUES:
                    try:
                        os.write(self.master, b"c\n")
                    except OSError:
                        pass
            if DEBUGGER_PROMPT_RE.search(scan):
                scan = b""

    def kill(self):
        """Stop Bochs (if it still runs) and wait for it."""
        _killpg(self.proc)

    def close(self):
        if self.proc is not None:
            self.kill()
            if self.conn is not None:
                try:
                    self.conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            for r in self.readers:
                r.join(5)
            if self.conn is not None:
                self.conn.close()
            if self.master is not None:
                os.close(self.master)
                self.master = None
            self.proc = None
            with harness._live_lock:
                harness._live.discard(self)
        if self.log:
            self.log.write(self._report().encode("utf-8", "replace"))
            self.log.close()
            self.log = None
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def elapsed(self):
        return time.monotonic() - self.start_time

    # -- reading

    def bochs_log(self):
        """Bochs's own log so far (panics, errors, info lines)."""
        try:
            return self.bochs_log_path.read_text("latin-1")
        except OSError:
            return ""

    def terminal(self, lines=20):
        """The last lines Bochs wrote to its terminal (debugger, exit message),
        without the log lines it prints there before its log file opens."""
        with self.cond:
            text = bytes(self.term).decode("latin-1")
        text = "\n".join(ln for ln in harness.clean(text).splitlines()
                         if not re.match(r"^\d+[a-z]\[", ln))
        return tail(text, lines)

    # -- Bochs's debugger (for explaining a hang: which mode the CPU is in, whether it exits)

    def _term_prompt(self, mark, timeout):
        """The debugger's output from terminal offset `mark` up to its next
        prompt (cleaned), or None if no prompt came within `timeout` s."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                first = self.term_total - len(self.term)
                text = bytes(self.term[max(0, mark - first):])
                p = DEBUGGER_PROMPT_RE.search(text)
                if p:
                    return harness.clean(text[:p.start()].decode("latin-1"))
                left = deadline - time.monotonic()
                if left <= 0 or self.proc is None or self.proc.poll() is not None:
                    return None
                self.cond.wait(min(left, 0.5))

    def debugger_stop(self, timeout=20):
        """Stop the emulation in Bochs's debugger (as Ctrl-C does); returns
        where it stopped ("Next at t=... (0) [addr] ..."). Until
        debugger_resume(), the debugger's prompts are left to debugger_cmd()."""
        with self.cond:
            self.manual = True
            mark = self.term_total
        os.kill(self.proc.pid, signal.SIGINT)
        out = self._term_prompt(mark, timeout)
        if out is None:
            raise self.fail("Bochs's debugger did not stop within %d s of SIGINT" % timeout)
        return out

    def debugger_cmd(self, command, timeout=20):
        """Run a debugger command; its output, or None if the debugger did not
        prompt again within `timeout` s (e.g. `c` and the emulation runs on)."""
        with self.cond:
            mark = self.term_total
        os.write(self.master, command.encode() + b"\n")
        out = self._term_prompt(mark, timeout)
        if out is not None:
            out = out.partition("\n")[2]  # drop the echo of the command
        return out

    def debugger_resume(self):
        """Continue the emulation and answer the debugger's prompts again."""
        os.write(self.master, b"c\n")
        with self.cond:
            self.manual = False

    @staticmethod
    def debugger_time(text):
        """The emulated instruction count in a "Next at t=N" line, or None."""
        t = re.findall(r"Next at t=(\d+)", text or "")
        return int(t[-1]) if t else None

    def _report(self):
        """What NAME.log gets at the end: Bochs's problems and its terminal."""
        problems, n = log_problems(self.bochs_log())
        out = "\n--- Bochs: %d panics/errors in %s%s ---\n" % (
            n, rel(self.bochs_log_path), " (the last %d)" % len(problems) if n > len(problems)
            else "")
        out += "".join(ln + "\n" for ln in problems)
        if self.continues:
            out += "--- Bochs's debugger stopped %d times; each answered with 'c' ---\n" \
                % self.continues
        term = self.terminal(15)
        if term.strip():
            out += "--- Bochs terminal (last lines) ---\n" + term + "\n"
        return out

    def fail(self, what):
        """A Failure saying `what`, with the last serial lines and Bochs's
        panics, errors and terminal."""
        with self.cond:
            buf = self.buf
        msg = "%s\n--- last serial lines (%s) ---\n%s" % (what, self.log_path, tail(buf))
        return Failure(msg + self._report().rstrip("\n"))

    def expect(self, regex, timeout=CMD_TIMEOUT, what=None):
        """Wait for `regex` in the serial text after the previous match and
        return the match (as harness.Machine.expect). Raises Failure with the
        last lines of output on timeout or when Bochs stops."""
        rx = re.compile(regex, re.M) if isinstance(regex, str) else regex
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.buf, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if self.eof or left <= 0:
                    break
                self.cond.wait(min(left, 1.0))
        what = what or repr(rx.pattern)
        if self.eof:
            status = self.proc.poll() if self.proc else None
            raise self.fail("Bochs %s while waiting for %s"
                            % ("closed the serial port" if status is None
                               else "exited (status %s)" % status, what))
        raise self.fail("timed out after %d s waiting for %s" % (timeout, what))

    def wait_prompt(self, timeout=PROMPT_TIMEOUT):
        """Wait for the shell prompt (the first one after boot, or the next)."""
        return self.expect(PROMPT_RE, timeout, what="the shell prompt %r" % harness.PROMPT)

    # -- writing

    def send_raw(self, data, chunk=UART_FIFO, pause=0.25):
        """Type bytes on the serial line, a FIFO's worth at a time with a pause
        between (Bochs's UART overruns a full FIFO rather than waiting)."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        for i in range(0, len(data), chunk):
            if i:
                time.sleep(pause)
            if self.eof or self.proc.poll() is not None:
                raise self.fail("Bochs stopped while we were typing")
            try:
                self.conn.sendall(data[i:i + chunk])
            except OSError as e:
                raise self.fail("Bochs's serial port closed while typing (%s)" % e)

    def cmd(self, line, timeout=CMD_TIMEOUT):
        """Type `line` and Enter at the prompt; return its output up to the next
        prompt, cleaned (harness.Machine.cmd with Bochs's default timeout)."""
        return super().cmd(line, timeout)

    def wait_exit(self, timeout=60):
        """Wait for Bochs to exit by itself; returns its exit status (Bochs's
        is 1 however it ends: read the result from the serial output)."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise self.fail("Bochs still running %d s later (expected it to exit)" % timeout)
        for r in self.readers:
            r.join(5)
        return status


def boot(t, **kw):
    """A new BochsMachine for scenario `t` (use it with `with`); its logs are
    NAME.log, then NAME-2.log... like harness.Test.boot."""
    with t.lock:
        n = len(t.machines) + 1
    m = BochsMachine(t.name if n == 1 else "%s-%d" % (t.name, n), **kw)
    with t.lock:
        if t.timed_out:
            raise Failure("the scenario's time limit was reached")
        t.machines.append(m)
    return m


# ---------------------------------------------------------------- interactive


ESCAPE = 0x01  # Ctrl-A, as QEMU's -serial mon:stdio


def interactive(cpu, iso, smp, mem):
    """Boot `iso` in Bochs with Terrapin's serial console on this terminal;
    Ctrl-A x quits. Returns an exit status."""
    why = unavailable(cpu)
    if why:
        print("run-bochs: " + why, file=sys.stderr)
        return 1
    iso = Path(iso)
    if not iso.is_file():
        print("run-bochs: %s does not exist (make builds build/terrapin.iso)" % iso,
              file=sys.stderr)
        return 1
    work = BUILD / "run-bochs"
    work.mkdir(parents=True, exist_ok=True)
    log = work / "bochs.log"
    listener = _listen()
    rc = bochsrc(iso.resolve(), cpu, smp, mem, listener.getsockname()[1], log)
    (work / "bochsrc").write_text(rc)
    (work / "debugger.rc").write_text("c\n")
    print("run-bochs: Bochs %s, %d CPU%s, %d MiB, %s; Bochs's log: %s\n"
          "run-bochs: the shell appears here after 5-20 s of boot. Ctrl-A x quits."
          % (cpu, smp, "s" if smp != 1 else "", mem, rel(iso), rel(log)), file=sys.stderr)
    proc, master = _spawn([BOCHS, "-q", "-f", str(work / "bochsrc"), "-rc",
                           str(work / "debugger.rc")], str(work))
    term = bytearray()
    conn = None
    saved = None
    stdin = sys.stdin.fileno()
    out = sys.stdout.fileno()
    status = 0
    quit_now = False
    try:
        listener.settimeout(0.5)
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while conn is None:
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                if proc.poll() is not None or time.monotonic() > deadline:
                    try:
                        while True:
                            r, _, _ = select.select([master], [], [], 0.2)
                            if not r:
                                break
                            term += os.read(master, 65536)
                    except OSError:
                        pass
                    print("run-bochs: Bochs %s before connecting its serial port:\n%s"
                          % ("exited (status %s)" % proc.poll() if proc.poll() is not None
                             else "did not connect within %d s" % CONNECT_TIMEOUT,
                             tail(term.decode("latin-1"), 20)), file=sys.stderr)
                    return 1
        conn.settimeout(None)
        if os.isatty(stdin):
            saved = termios.tcgetattr(stdin)
            tty.setraw(stdin)
        escape = False
        fds = [conn, master, stdin]
        while True:
            r, _, _ = select.select(fds, [], [], 1.0)
            if proc.poll() is not None and not r:
                break
            if conn in r:
                data = conn.recv(65536)
                if not data:
                    break
                os.write(out, data)
            if master in r:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                if not data:
                    fds.remove(master)
                else:
                    term = (term + data)[-TERM_KEEP:]
                    if DEBUGGER_PROMPT_RE.search(bytes(term[-64:])):
                        del term[:]
                        os.write(out, b"\r\n[run-bochs: Bochs's debugger stopped; continuing]\r\n")
                        os.write(master, b"c\n")
            if stdin in r:
                data = os.read(stdin, 1024)
                if not data:
                    fds.remove(stdin)
                    continue
                send = bytearray()
                for b in data:
                    if escape:
                        escape = False
                        if b in (ord("x"), ord("X")):
                            quit_now = True
                            break
                        if b == ESCAPE:
                            send.append(b)
                        elif b in (ord("h"), ord("?")):
                            os.write(out, b"\r\n[run-bochs: Ctrl-A x quits, Ctrl-A Ctrl-A "
                                          b"sends Ctrl-A]\r\n")
                    elif b == ESCAPE:
                        escape = True
                    else:
                        send.append(b)
                for i in range(0, len(send), UART_FIFO):
                    if i:
                        time.sleep(0.1)  # a paste: a FIFO's worth at a time
                    conn.sendall(bytes(send[i:i + UART_FIFO]))
                if quit_now:
                    break
    except KeyboardInterrupt:
        status = 130
        quit_now = True
    finally:
        if saved is not None:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
        if not quit_now:  # the serial port closed: Bochs is on its way out
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        ended = proc.poll()
        _killpg(proc)
        for c in (conn, listener):
            if c is not None:
                c.close()
        os.close(master)
        if ended is not None:
            print("\nrun-bochs: Bochs exited.", file=sys.stderr)
            problems, _ = log_problems(log.read_text("latin-1") if log.is_file() else "", 5)
            for ln in problems:
                print("run-bochs: " + ln, file=sys.stderr)
        else:
            print("\nrun-bochs: stopped Bochs.", file=sys.stderr)
    return status


def main(argv):
    import argparse
    p = argparse.ArgumentParser(
        prog="run-bochs.sh",
        description="Boot Terrapin in Bochs with its shell on this terminal (Ctrl-A x quits).")
    p.add_argument("--cpu", default="ryzen",
                   help="Bochs CPU model: ryzen (AMD-V with NPT, NRIPS) or corei7_skylake_x "
                        "(VT-x with EPT); default ryzen")
    p.add_argument("--iso", default=str(iso_path()), help="the ISO to boot (default %(default)s)")
    p.add_argument("--smp", type=int, default=2, help="number of CPUs (default 2)")
    p.add_argument("--mem", type=int, default=256, help="MiB of RAM (default 256)")
    a = p.parse_args(argv)
    if not 1 <= a.smp <= 16:
        p.error("--smp must be 1..16")
    if not 16 <= a.mem <= 8192:
        p.error("--mem must be 16..8192 (MiB)")
    return interactive(a.cpu, a.iso, a.smp, a.mem)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
