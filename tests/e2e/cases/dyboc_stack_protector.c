/* An overflow the guard pages cannot see: an unprotected callee (think of a
 * library built with -fstack-protector-strong) smashes its own stack frame.
 * Its stack protector calls __stack_chk_fail, which aborts: the SIGABRT is
 * raised inside the protected caller's live transaction, so the caller
 * returns its error value and the program carries on — once directly below
 * the caller, once two unprotected calls down, and again after that.
 * E2E-CFLAGS: -g -fstack-protector-strong
 * E2E-SRC: dyboc_stack_protector_lib.c
 * E2E-RECOVERED: 3
 * E2E-STDERR-COUNT: 3 ^immune: recovered SIGABRT \(SI_TKILL\) sent by pid [0-9]+ pc 0x[0-9a-f]+ in (greet|render) \(.*dyboc_stack_protector\.c\), returning -1$
 * E2E-STDERR-COUNT: 3 stack smashing detected
 */
#include "dyboc_e2e.h"

/* In dyboc_stack_protector_lib.c: not protected, buffers on the stack. */
int copy_name(char *dst, const char *src);
int render_line(char *dst, const char *name);

IMMUNE_PROTECT int greet(const char *who) {
  char out[64];
  int n = copy_name(out, who);
  return n * 1000 + out[0];
}

IMMUNE_PROTECT int render(const char *who) {
  char line[128];
  return render_line(line, who);
}

int main(void) {
  e2e_setup_stdio();
  const char *smash = HIDE_STR("0123456789abcdef0123456789abcdef0123456789");
  CHECK_INT(greet(HIDE_STR("bob")), 3 * 1000 + 'b');
  CHECK_INT(greet(smash), -1);
  CHECK_INT(greet(HIDE_STR("alice")), 5 * 1000 + 'a');
  CHECK_INT(render(HIDE_STR("bob")), (int)strlen("<b>bob</b>"));
  CHECK_INT(render(smash), -1);
  CHECK_INT(render(HIDE_STR("carol")), (int)strlen("<b>carol</b>"));
  CHECK_INT(greet(smash), -1);
  CHECK_INT(greet(HIDE_STR("dave")), 4 * 1000 + 'd');
  CHECK_INT(immune_recoveries(), 3);
  CHECK_INT(immune_function_aborts("greet"), 2);
  CHECK_INT(immune_function_aborts("render"), 1);
  CHECK_INT(slots_in_use(), 0);
  CHECK_DEPTH0();
  return e2e_done();
}
