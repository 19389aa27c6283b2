#ifndef KERNEL_IDLE_H
#define KERNEL_IDLE_H

/* Reads on_idle= from the command line. */
int idle_init(const char *cmdline);
/* Called from the shell's loop: acts once every VM has stopped. */
void idle_check(void);

#endif
