/*
 * simrun: runs an AVR firmware (ELF) in simavr, for the Stratus device tests.
 *
 *   simrun [-m MCU] [-f HZ] [-c MAX_CYCLES] [-w WALL_SECONDS] [-r FROM=TO]... [-i TEXT] [-p PIN]... [-e PIN]
 *          FIRMWARE.elf
 *
 * - UART0's text goes to stdout; the runner's own lines go to stderr, each starting "simrun: ".
 * - Marks: every write to GPIOR0 prints "simrun: mark <value> <cycle>", so a test reads the cycles
 *   between two marks (deterministic: simavr counts cycles, not time).
 * - The stack: the lowest stack pointer seen after any instruction, printed at the end as
 *   "simrun: stack <bytes used> bytes, <headroom> bytes above .bss" (headroom < 0: the stack
 *   ran into the static data, which a real board would not report either).
 * - The end: a write to GPIOR1 ends the run with that exit code; so does `cli(); sleep_cpu();`
 *   (exit code 0). The last line is "simrun: end <reason> code=<n> cycles=<n>", reason being
 *   exit, sleep, pin (-e), timeout (MAX_CYCLES or WALL_SECONDS passed; exit code 124) or crash (125).
 * - The TCP bridge (bridge.h): frames on UART0 let the firmware open one TCP connection through
 *   the runner; -r maps the address the firmware asks for ("host:port", or "*" for any) to
 *   another one, so a firmware built once reaches a server on a port chosen at test time.
 * - -i TEXT feeds TEXT to UART0's input once the firmware turns the receiver on (simavr drops
 *   what comes before), paced by simavr's XON/XOFF.
 * - -p B5 prints "simrun: pin B5 <0|1> <cycle>" when that output pin changes (a sketch's LED);
 *   -e B5 does too, and ends the run (exit code 0, reason "pin") when it goes high: a firmware that
 *   never ends, like a real sketch, can say "done" that way.
 *
 * MCU and frequency come from the ELF's .mmcu section when it has one, else from -m/-f (defaults
 * atmega2560 and 16000000). Build: gcc -O2 simrun.c bridge.c $(pkg-config --cflags --libs simavr) -lelf
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <avr_ioport.h>
#include <avr_uart.h>
#include <sim_avr.h>
#include <sim_elf.h>
#include <sim_io.h>
#include <sim_irq.h>

#include "bridge.h"

/* data-space addresses of GPIOR0 and GPIOR1: the same on the ATmega328P and the ATmega2560 */
#define MARK_REGISTER 0x3E
#define EXIT_REGISTER 0x4A
/* instructions run between two looks at the sockets and the wall clock */
#define SLICE 20000

static int exit_code = -1;
static int pin_done = 0;
static avr_t *the_avr; /* for the cycle count in IRQ callbacks */

typedef struct {
  char port;
  int bit;
  int ends_run;
} pin_watch_t;

#define MAX_PINS 8
static pin_watch_t pins[MAX_PINS];
static int pin_count = 0;

static int add_pin(const char *spec, int ends_run) {
  if (pin_count == MAX_PINS || strlen(spec) != 2 || spec[0] < 'A' || spec[0] > 'L' || spec[1] < '0' || spec[1] > '7') return -1;
  pins[pin_count].port = spec[0];
  pins[pin_count].bit = spec[1] - '0';
  pins[pin_count].ends_run = ends_run;
  pin_count++;
  return 0;
}

static void pin_changed(struct avr_irq_t *irq, uint32_t value, void *param) {
  pin_watch_t *pin = param;
  (void)irq;
  fprintf(stderr, "simrun: pin %c%d %u %llu\n", pin->port, pin->bit, value ? 1 : 0, (unsigned long long)the_avr->cycle);
  if (value && pin->ends_run) pin_done = 1;
}

static void mark_written(avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param) {
  (void)param;
  avr->data[addr] = v;
  fprintf(stderr, "simrun: mark %u %llu\n", v, (unsigned long long)avr->cycle);
}

static void exit_written(avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param) {
  (void)param;
  avr->data[addr] = v;
  exit_code = v;
}

/* simavr's raw sleep waits in real time; simulated time needs no waiting */
static void no_sleep(avr_t *avr, avr_cycle_count_t how_long) {
  (void)avr;
  (void)how_long;
}

static double wall_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* simavr prints banners on stdout while it loads; stdout is the firmware's */
static int quiet_stdout(void) {
  fflush(stdout);
  int saved = dup(1);
  dup2(2, 1);
  return saved;
}

static void restore_stdout(int saved) {
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
}

static void usage(void) {
  fprintf(stderr, "usage: simrun [-m MCU] [-f HZ] [-c MAX_CYCLES] [-w WALL_SECONDS] [-r FROM=TO]... [-i TEXT] [-p PIN]... [-e PIN] FIRMWARE.elf\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *mcu = "atmega2560";
  unsigned long frequency = 16000000UL;
  unsigned long long max_cycles = 16000000ULL * 60;
  double max_wall = 120;
  const char *input = NULL;
  bridge_t bridge;
  bridge_init(&bridge);

  int opt;
  while ((opt = getopt(argc, argv, "m:f:c:w:r:i:p:e:")) != -1) {
    switch (opt) {
      case 'm': mcu = optarg; break;
      case 'f': frequency = strtoul(optarg, NULL, 10); break;
      case 'c': max_cycles = strtoull(optarg, NULL, 10); break;
      case 'w': max_wall = strtod(optarg, NULL); break;
      case 'r':
        if (bridge_add_route(&bridge, optarg) != 0) usage();
        break;
      case 'i': input = optarg; break;
      case 'p':
      case 'e':
        if (add_pin(optarg, opt == 'e') != 0) usage();
        break;
      default: usage();
    }
  }
  if (optind != argc - 1) usage();

  elf_firmware_t firmware;
  memset(&firmware, 0, sizeof firmware);
  int saved = quiet_stdout();
  if (elf_read_firmware(argv[optind], &firmware) != 0) {
    restore_stdout(saved);
    fprintf(stderr, "simrun: cannot read %s\n", argv[optind]);
    return 2;
  }
  if (!firmware.mmcu[0]) snprintf(firmware.mmcu, sizeof firmware.mmcu, "%s", mcu);
  if (!firmware.frequency) firmware.frequency = (uint32_t)frequency;
  avr_t *avr = avr_make_mcu_by_name(firmware.mmcu);
  if (!avr) {
    restore_stdout(saved);
    fprintf(stderr, "simrun: simavr does not know the MCU %s\n", firmware.mmcu);
    return 2;
  }
  the_avr = avr;
  avr_init(avr);
  avr->log = LOG_ERROR;
  avr_load_firmware(avr, &firmware);
  restore_stdout(saved);
  avr->sleep = no_sleep;

  /* UART0: no console echo of simavr's own, no usleep when the firmware polls */
  uint32_t flags = 0;
  avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
  flags &= ~(uint32_t)(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
  avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
  bridge_attach(&bridge, avr);
  if (input) bridge_feed_raw(&bridge, (const uint8_t *)input, strlen(input));

  avr_register_io_write(avr, MARK_REGISTER, mark_written, NULL);
  avr_register_io_write(avr, EXIT_REGISTER, exit_written, NULL);
  for (int i = 0; i < pin_count; i++) {
    avr_irq_t *irq = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(pins[i].port), pins[i].bit);
    if (!irq) {
      fprintf(stderr, "simrun: %s has no port %c\n", firmware.mmcu, pins[i].port);
      return 2;
    }
    avr_irq_register_notify(irq, pin_changed, &pins[i]);
  }

  fprintf(stderr, "simrun: %s at %lu Hz, %s\n", firmware.mmcu, (unsigned long)firmware.frequency, argv[optind]);
  const double started = wall_seconds();
  const char *reason = NULL;
  int code = 0;
  const long bss_end = (long)avr->ioend + 1 + (long)firmware.datasize + (long)firmware.bsssize;
  long lowest_sp = avr->ramend;
  for (;;) {
    int state = cpu_Running;
    for (int i = 0; i < SLICE && exit_code < 0 && !pin_done; i++) {
      state = avr_run(avr);
      long sp = avr->data[R_SPL] | (avr->data[R_SPH] << 8);
      if (sp < lowest_sp) lowest_sp = sp;
      if (state == cpu_Done || state == cpu_Crashed) break;
    }
    if (exit_code >= 0) {
      reason = "exit";
      code = exit_code;
    } else if (pin_done) {
      reason = "pin";
    } else if (state == cpu_Done) {
      reason = "sleep";
    } else if (state == cpu_Crashed) {
      reason = "crash";
      code = 125;
    } else if (avr->cycle >= max_cycles || wall_seconds() - started > max_wall) {
      reason = "timeout";
      code = 124;
    }
    if (reason) break;
    bridge_service(&bridge);
  }
  bridge_finish(&bridge);
  fflush(stdout);
  /* the lowest byte written is one above the lowest stack pointer (AVR pushes, then decrements) */
  fprintf(stderr, "simrun: stack %ld bytes, %ld bytes above .bss\n", (long)avr->ramend - lowest_sp, lowest_sp + 1 - bss_end);
  fprintf(stderr, "simrun: end %s code=%d cycles=%llu wall=%.2fs\n", reason, code, (unsigned long long)avr->cycle,
          wall_seconds() - started);
  return code;
}
