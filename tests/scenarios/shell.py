"""Shell behaviour that every command shares."""

import re

from harness import scenario
from _common import boot_to_prompt

BOGUS = "--no-such-option"


@scenario("shell-bad-args", cost=8)
def shell_bad_args(t):
    """Every command answers a wrong argument with a usage line or an error,
    never silently and never by doing its job anyway (STYLE.md: "a clear error
    for a wrong argument, no silent failure")."""
    with t.boot(boot="bios", machine="q35", smp=2, mem="256M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        listed = re.findall(r"^  (\S+)\s+\S", m.cmd("help"), re.M)
        t.check(len(listed) >= 6, "help lists only %d commands" % len(listed))
        for c in listed:
            if c == "help":
                continue  # `help X` describes X: checked in bios-q35
            line = "%s %s" % (c, BOGUS)
            out = m.cmd(line)
            t.check(re.search(r"usage|unknown|invalid|error|not a|no such|bad |expected", out,
                              re.I),
                    "%r printed no usage or error" % line, out)
        out = m.cmd("info")
        t.search(r"^boot door:", out, "info does not answer after the wrong arguments")
