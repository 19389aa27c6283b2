"""The command line and boot modules reach Terrapin through each door exactly
as written (GRUB's multiboot2/module2 lines, the ESP's terrapin.cfg)."""

import re

from harness import work_dir, make_esp, make_iso, scenario
from _common import boot_to_prompt, check_info

# '$' would make GRUB's script parser expand a variable: mkiso.sh escapes it,
# so Terrapin must see it unchanged.
GRUB_CMDLINE = "loglevel=debug console=com1,115200 tag=$HOME"
# The rest of what GRUB's script syntax gives a meaning: quotes, backslashes,
# braces, ';'. Besides its parser, GRUB 2.06 adds a backslash before each of
# \ ' " when it builds the loader's command line (grub_create_loader_cmdline),
# so these arrive changed unless mkiso.sh and Terrapin's Multiboot2 door undo it.
GRUB_CMDLINE_SPECIAL = 'loglevel=debug path=C:\\x\\y say="a b" it\'s x=${y} a;b p|q&r<s>t'


def module_files(name, count):
    paths = []
    for i in range(count):
        p = work_dir() / ("%s-mod%d.bin" % (name, i))
        p.write_bytes(bytes((i * 7 + k) & 0xff for k in range(4096 + i * 1000)))
        paths.append(p)
    return paths


def grub_cmdline(t, cmdline, modules=()):
    iso = make_iso(t.name, cmdline=cmdline, modules=modules)
    with t.boot(boot="bios", machine="q35", smp=1, mem="256M", iso=iso) as m:
        text = boot_to_prompt(t, m, "Multiboot2", "BIOS")
        t.search(r'command line: "%s"' % re.escape(cmdline), text,
                 "the boot log does not show the command line unchanged")
        out = check_info(t, m, "Multiboot2", "BIOS", cmdline=cmdline)
        t.search(r"^modules:\s+%d\b" % len(modules), out,
                 "info does not count %d modules" % len(modules))


@scenario("grub-cmdline-modules", cost=12)
def grub_cmdline_modules(t):
    mods = module_files(t.name, 2)
    grub_cmdline(t, GRUB_CMDLINE,
                 ["%s name=first mem=32M" % mods[0], "%s name=second" % mods[1]])


@scenario("grub-cmdline-special", cost=12)
def grub_cmdline_special(t):
    grub_cmdline(t, GRUB_CMDLINE_SPECIAL)


@scenario("efi-cmdline-modules", cost=45)
def efi_cmdline_modules(t):
    cmdline = "loglevel=debug tag=x=y"
    mods = module_files(t.name, 2)
    esp = make_esp(t.name, cmdline=cmdline,
                   modules=["%s name=first mem=32M" % mods[0], "%s name=second" % mods[1]])
    with t.boot(boot="efi", machine="q35", smp=1, mem="256M", esp=esp) as m:
        boot_to_prompt(t, m, "UEFI", "UEFI")
        out = check_info(t, m, "UEFI", "UEFI", cmdline=cmdline)
        t.search(r"^modules:\s+2\b", out, "info does not count 2 modules")
