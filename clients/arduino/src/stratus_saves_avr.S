/* The call-saved registers (r2-r17, r28, r29) of the functions defined with STRATUS_SAVED
 * (stratus_pgm.h), pushed and popped here once for all of them (-mcall-prologues by hand).
 *
 * Each such function's symbol is a stub: it puts the address of the function's body (compiled
 * OS_task, which saves none of those registers) in Z and jumps to stratus_saved_call, which saves
 * them, calls the body with the argument registers untouched, restores them and returns the body's
 * result as it left it (r18-r25). The bodies take all their arguments in registers, so the two
 * return addresses on the stack move none. Z (r30, r31) is free: the ABI clobbers it at a call. */
#if defined(__AVR__) && !defined(__AVR_TINY__)

/* one section for the routine and its stubs, so that each stub reaches it with an rjmp */
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
.global \name
\name:
  ldi r30, lo8(gs(\name\()_body))
  ldi r31, hi8(gs(\name\()_body))
  rjmp stratus_saved_call
.endm

/* every build that calls update() links each of them (a body is linked whether or not its stub
 * is, and the stubs go together) */
saved stratus_config_find
saved stratus_find_sub
saved stratus_format_u32
saved stratus_key_pad
saved stratus_make_id
saved stratus_out_flush
saved stratus_out_hex
saved stratus_out_template
saved stratus_parse_u32
saved stratus_sign_start
saved stratus_sync_next
saved stratus_write_sync_body

#endif
