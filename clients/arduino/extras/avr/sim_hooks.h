/*
 * What a test firmware tells simrun (simrun.c), through registers no sketch uses otherwise.
 *   SIM_MARK(n)  simrun prints "simrun: mark n <cycle>": the cycles between two marks are exact
 *   SIM_EXIT(n)  ends the simulation with exit code n (flush Serial first: bytes still in its
 *                buffer would be lost)
 * On real hardware both are harmless writes to general-purpose I/O registers.
 */
#ifndef STRATUS_SIM_HOOKS_H
#define STRATUS_SIM_HOOKS_H

#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>

#define SIM_MARK(n) (GPIOR0 = (uint8_t)(n))
#define SIM_EXIT(n)             \
  do {                          \
    GPIOR1 = (uint8_t)(n);      \
    cli();                      \
    for (;;) sleep_cpu();       \
  } while (0)

#endif
