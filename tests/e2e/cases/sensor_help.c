/* IMMUNE_OPTIONS=help=1 lists every runtime option with its type, default
 * and meaning at start-up, then the program runs as usual (and heals).
 * E2E-ENV: IMMUNE_OPTIONS=help=1
 * E2E-RECOVERED: 1
 * E2E-STDERR-COUNT: 1 ^immune: runtime options \(IMMUNE_OPTIONS=key=value:key=value\)$
 * E2E-STDERR-COUNT: 26 ^  [a-z_]+ \((BOOL|INT|STRING|PATH|LIST|MODE|ABORTS), default [^)]*\): .+
 * E2E-STDERR: ^  mode \(MODE, default protect\): protect: heal faults
 * E2E-STDERR: ^  log_path \(STRING, default stderr\): 
 * E2E-STDERR: ^  verbosity \(INT, default 1\): 
 * E2E-STDERR: ^  max_recoveries \(INT, default 1000000\): 
 * E2E-STDERR: ^  recovery_window_ms \(INT, default 10000\): 
 * E2E-STDERR: ^  handle_segv \(BOOL, default 1\): heal SIGSEGV$
 * E2E-STDERR: ^  handle_bus \(BOOL, default 1\): heal SIGBUS$
 * E2E-STDERR: ^  handle_fpe \(BOOL, default 1\): heal SIGFPE$
 * E2E-STDERR: ^  handle_ill \(BOOL, default 1\): heal SIGILL$
 * E2E-STDERR: ^  handle_abort \(ABORTS, default ssp\): 
 * E2E-STDERR: ^  syslog \(BOOL, default 0\): 
 * E2E-STDERR: ^  rollback \(LIST, default heap,locks,fds,memory\): 
 * E2E-STDERR: ^  rollback_log_max \(INT, default 65536\): 
 * E2E-STDERR: ^  tx_stack_mb \(INT, default 32\): 
 * E2E-STDERR: ^  stack_headroom_kb \(INT, default 64\): 
 * E2E-STDERR: ^  replay_aborts \(INT, default 5\): 
 * E2E-STDERR: ^  replay_outermost \(BOOL, default 0\): 
 * E2E-STDERR: ^  guard_heap_mb \(INT, default 32\): 
 * E2E-STDERR: ^  guard_heap_sample \(INT, default 0\): 
 * E2E-STDERR: ^  backtrace_depth \(INT, default 32\): frames recorded per event \(at most 64\)$
 * E2E-STDERR: ^  help \(BOOL, default 0\): print this list at start-up$
 */
#include "e2e.h"

IMMUNE_PROTECT int read_record(const int *p) { return *p; }

int main(void) {
  e2e_setup_stdio();
  CHECK_INT(read_record(E2E_NULL(const int *)), -1);
  return e2e_done();
}
