/* Virtual machines and their vCPUs: the vendor-neutral core. */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/spinlock.h"
#include "kernel/vcpu_state.h"
#include "kernel/vdev/vdev.h"
#include "kernel/vm_exit.h"
#include "mm/gmap.h"
#include "mm/tdp.h"

#define VM_MAX 16
#define VM_MAX_VCPUS 8
#define VM_MAX_DEVICES 24
#define VM_NAME_MAX 32

enum vm_state { VM_CREATED, VM_RUNNING, VM_PAUSED, VM_STOPPED };

enum vcpu_run_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,    /* HLT: waits for an interrupt */
	VCPU_WAIT_SIPI, /* an application processor before its startup IPI */
	VCPU_STOPPED,
};

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned id;
	uint64_t gpr[NGPRS];   /* RAX and RSP are synced with the backend around a run */
	void *arch;            /* the backend's per-vCPU data */
	volatile int run_state;
	volatile bool running; /* on a physical CPU right now */
	int cpu;               /* the physical CPU whose run queue holds it */
	uint64_t exits;
	uint8_t *fpu;          /* its x87/SSE/AVX registers between slices (kernel/fpu.c) */
	void *fpu_raw;
	uint64_t xcr0;
};

struct vm_device {
	const struct vdev_ops *ops;
	void *dev;
};

struct vm {
	unsigned id;
	char name[VM_NAME_MAX];
	volatile enum vm_state state;
	char reason[192];       /* why it stopped, or why it could not start */
	bool has_status;
	int exit_status;        /* from isa-debug-exit or the exit hypercall */
	/* A device asked to end the VM while the VM lock was held: acted on by the
	 * exit handler once the lock is released. */
	volatile bool exit_requested;
	int requested_status;
	int power_request;      /* enum vdev_power, or 0 for an exit status */

	/* configuration, from the module's argument string */
	const uint8_t *image;
	size_t image_len;
	const uint8_t *initrd;  /* a Linux guest's initrd module (NULL: none) */
	size_t initrd_len;
	char args[256];
	uint64_t mem_size;
	unsigned nvcpus;
	bool autostart;

	spinlock_t lock;        /* devices and state changes */
	struct gmap gmap;
	struct tdp tdp;
	bool mem_ready;
	struct vcpu *vcpu[VM_MAX_VCPUS];
	struct vm_device dev[VM_MAX_DEVICES];
	unsigned ndev;
	struct vdev_host host;
	struct vm_platform *platform; /* the virtual PC's devices (kernel/platform.c) */
	uint64_t start_tsc;

	uint64_t exits[EXIT_REASONS];
	uint64_t stat_tsc;                  /* when `stat` last looked */
	uint64_t stat_prev[EXIT_REASONS];
};

extern struct vm *vms[VM_MAX];

/* Create a VM from a boot module; on bad arguments it still exists, stopped, with
 * the reason, so `vm list` shows it. */
struct vm *vm_create(const char *args, const uint8_t *image, size_t len);
int vm_start(struct vm *vm);
/* Give a Linux guest its initrd (a boot module with initrd-of=NAME). Returns
 * 0, or -EEXIST (it has one already), -EINVAL (its image is not Linux, or it
 * could not be created), with a sentence in err. */
int vm_attach_initrd(struct vm *vm, const uint8_t *data, size_t len, char *err, size_t errlen);
/* Stop it (every vCPU leaves the CPUs) with a reason; memory is kept. */
void vm_stop(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_pause(struct vm *vm);
void vm_resume(struct vm *vm);
int vm_destroy(struct vm *vm);
struct vm *vm_find(const char *name);
/* For isa-debug-exit and the exit hypercall: record the status and stop. */
void vm_exit_status(struct vm *vm, int status);
/* Act on what a device asked for while the VM lock was held. */
void vm_handle_exit_request(struct vm *vm);
const char *vm_state_name(enum vm_state s);

/* Guest RAM runs from 0 up to this, the rest from 4 GiB (below: the PCI hole). */
#define VM_LOW_RAM_TOP (3ULL << 30)
uint64_t vm_ram_below_4g(const struct vm *vm);

/* Guest-time clock in ns since the VM started. */
uint64_t vm_now_ns(struct vm *vm);

#endif
