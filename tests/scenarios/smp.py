"""Multiprocessor boot: every CPU QEMU gives is started and online."""

from harness import Skip, scenario
from _common import boot_to_prompt, has_command, online_cpus


def smp_boot(t, n, machine="q35"):
    with t.boot(boot="bios", machine=machine, smp=n, mem="256M") as m:
        boot_to_prompt(t, m, "Multiboot2", "BIOS")
        if not has_command(m, "cpus"):
            raise Skip("no 'cpus' command in this build (help does not list it)")
        online_cpus(t, m, n)


@scenario("smp-1", cost=8)
def smp_1(t):
    smp_boot(t, 1)


@scenario("smp-2", cost=8)
def smp_2(t):
    smp_boot(t, 2)


@scenario("smp-4", cost=10)
def smp_4(t):
    smp_boot(t, 4)


@scenario("smp-4-pc", cost=10)
def smp_4_pc(t):
    """The pc machine's MADT and interrupt routing differ from q35's."""
    smp_boot(t, 4, machine="pc")
