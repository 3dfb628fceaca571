/* The call-saved registers (r2-r17, r28, r29) of the functions stratus_pgm.h's STRATUS_SAVED
 * marks, pushed and popped here once for all of them. Each such function's symbol is a stub that
 * puts its body (compiled OS_task: no saves of its own) in Z and jumps to stratus_saved_call, which
 * saves, calls the body with the arguments untouched (all in registers: none of these functions
 * takes more than 18 bytes of them), restores and returns the body's result. */
#if defined(__AVR__)

.section .text.stratus_saved_call,"ax",@progbits
stratus_saved_call:
  push r2
  push r3
  push r4
  push r5
  push r6
  push r7
  push r8
  push r9
  push r10
  push r11
  push r12
  push r13
  push r14
  push r15
  push r16
  push r17
  push r28
  push r29
  icall
  pop r29
  pop r28
  pop r17
  pop r16
  pop r15
  pop r14
  pop r13
  pop r12
  pop r11
  pop r10
  pop r9
  pop r8
  pop r7
  pop r6
  pop r5
  pop r4
  pop r3
  pop r2
  ret

.macro saved name
.section .text.\name,"ax",@progbits
.global \name
\name:
  ldi r30, lo8(gs(\name\()_body))
  ldi r31, hi8(gs(\name\()_body))
  jmp stratus_saved_call
.endm


saved stratus_sync_next
saved stratus_config_find
saved stratus_out_template
saved stratus_out_flush
saved stratus_format_u32
saved stratus_get_long
saved stratus_find_sub
saved stratus_write_sync_body
saved stratus_out_hex
saved stratus_make_id

#endif
