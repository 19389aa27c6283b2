"""The shell's line editor over the real serial line: cursor keys, deletion,
history, completion, kill keys. Each case checks both what the terminal shows
(by replaying the echo on a one-line terminal) and which command ran."""

import re

from harness import PROMPT, PROMPT_RE, clean, scenario
from _common import boot_to_prompt

LEFT, RIGHT, UP, DOWN = "\x1b[D", "\x1b[C", "\x1b[A", "\x1b[B"
HOME, END, DELETE = "\x1b[H", "\x1b[F", "\x1b[3~"
BACKSPACE, TAB = "\x7f", "\t"
CTRL_A, CTRL_C, CTRL_E, CTRL_U, CTRL_W = "\x01", "\x03", "\x05", "\x15", "\x17"


def render(echo, start=PROMPT):
    """What a VT100 shows on the current line after `start` and then `echo`
    (printable text, CR, BS, BEL, ESC [ n C/D/K)."""
    line, col, i = list(start), len(start), 0
    while i < len(echo):
        c = echo[i]
        m = re.match(r"\x1b\[([0-9;]*)([@-~])", echo[i:])
        if m:
            n = int(m.group(1)) if m.group(1).isdigit() and m.group(1) != "0" else 1
            if m.group(2) == "C":
                col += n
            elif m.group(2) == "D":
                col = max(0, col - n)
            elif m.group(2) == "K" and m.group(1) in ("", "0"):
                del line[col:]
            i += m.end()
            continue
        if c == "\r":
            col = 0
        elif c == "\b":
            col = max(0, col - 1)
        elif " " <= c < "\x7f":
            while len(line) < col:
                line.append(" ")
            if col < len(line):
                line[col] = c
            else:
                line.append(c)
            col += 1
        i += 1
    return "".join(line).rstrip()


def keys(t, m, typed, screen, output_re, not_re=None):
    """Type `typed` at the prompt; check the screen line (up to the line end
    the editor prints) and that the command's output matches `output_re`."""
    start = m.pos
    m.send_raw(typed)
    p = m.expect(PROMPT_RE, 30, what="the prompt after typing %r" % typed)
    raw = m.output()[start:p.start()]
    echo, _, out = raw.partition("\r\n")
    shown = render(echo)
    out = clean(out)
    t.check(shown == screen, "after typing %r the screen shows %r, expected %r"
            % (typed, shown, screen), raw)
    if output_re is not None:
        t.check(re.search(output_re, out, re.M), "after typing %r: output does not match %r"
                % (typed, output_re), out)
    if not_re is not None:
        t.check(not re.search(not_re, out, re.M), "after typing %r: output matches %r"
                % (typed, not_re), out)
    return out


HELP_LIST = r"^Commands .*\n(  \w+ .*\n)*  uptime "
HELP_MEM = r"^mem \[map\]\n    physical frames"
UPTIME = r"^up \d+\.\d{3} s"
INFO = r"^boot door:\s+Multiboot2"


@scenario("shell-line-editing", cost=12)
def line_editing(t):
    with t.boot(boot="bios", machine="q35", smp=1, mem="128M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        P = PROMPT.rstrip() + " "
        # Insert in the middle: "hlp", two left, "e".
        keys(t, m, "hlp" + LEFT + LEFT + "e\r", P + "help", HELP_LIST)
        # Fix a typo: "hepl", left, backspace (drops the p), right, "p".
        keys(t, m, "hepl" + LEFT + BACKSPACE + RIGHT + "p\r", P + "help", HELP_LIST)
        # Tab completes a unique command and adds a space.
        keys(t, m, "upt" + TAB + "\r", P + "uptime", UPTIME)
        keys(t, m, "help mem\r", P + "help mem", HELP_MEM)
        # Up recalls the last line; the history is now help, uptime, help mem
        # (a line equal to the previous one is not stored twice).
        keys(t, m, UP + "\r", P + "help mem", HELP_MEM)
        keys(t, m, UP + UP + "\r", P + "uptime", UPTIME)
        # ... and now help, uptime, help mem, uptime.
        keys(t, m, UP + UP + UP + DOWN + "\r", P + "help mem", HELP_MEM)
        # Down past the newest line gives back the (empty) new line.
        keys(t, m, UP + DOWN + "info\r", P + "info", INFO)
        # Home/End as Ctrl-A/Ctrl-E and as ESC [ H / ESC [ F.
        keys(t, m, "elp" + CTRL_A + "h" + CTRL_E + " mem\r", P + "help mem", HELP_MEM)
        keys(t, m, "elp" + HOME + "h" + END + " mem\r", P + "help mem", HELP_MEM)
        # Delete (ESC [ 3 ~) removes the character under the cursor.
        keys(t, m, "helpx" + LEFT + DELETE + "\r", P + "help", HELP_LIST)
        # Ctrl-U kills to the start of the line, Ctrl-W the last word.
        keys(t, m, "frobnicate" + CTRL_U + "info\r", P + "info", INFO, r"unknown command")
        keys(t, m, "help nosuchcmd" + CTRL_W + "\r", P + "help", HELP_LIST, r"no command")
        # Ctrl-C abandons the line: nothing runs.
        keys(t, m, "frobnicate" + CTRL_C, P + "frobnicate^C", None, r"\S")
        # Unknown escape sequences and stray control bytes are ignored.
        keys(t, m, "he\x1b[1;5Cl\x1b[99~\x02\x1bOPp\r", P + "help", HELP_LIST)
        # A line longer than the editor holds keeps its first 255 bytes (and rings the bell).
        out = keys(t, m, "x" * 300 + "\r", P + "x" * 255, r"unknown command")
        t.search(r"unknown command 'x{255}'", out, "the long line was not cut at 255 bytes")
