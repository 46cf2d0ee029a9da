/* A live vaccine changed again and again while eight threads fault inside
 * the function it arms: every change is applied without stopping them
 * (one atomic update per site), every fault heals, and each returns one of
 * the two values the changing vaccines give it. */
// E2E-CFLAGS: --immune-protect-all
// E2E-ENV: IMMUNE_OPTIONS=vaccine=@DIR@/vaccine.txt:vaccine_poll_ms=10:verbosity=0
// E2E-RECOVERED: 0
#include "vaccine_e2e.h"

#define THREADS 8
#define FAULTS 150

__attribute__((noinline)) int worker_parse(const char *p) { return p[0]; }
__attribute__((noinline)) int other(const char *p) { return p[1]; }

static int wrong[THREADS];

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int i = 0; i < FAULTS; ++i) {
    int r = worker_parse(E2E_NULL(const char *));
    if (r != -1 && r != -3) wrong[id]++;
    e2e_sleep_ms(1);
  }
  return NULL;
}

int main(int argc, char **argv) {
  (void)argc;
  e2e_setup_stdio();
  e2e_restart_with_vaccine(argv, "fun:worker_parse\n");
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; ++i) pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
  int changes = 0;
  for (int k = 0; k < 30; ++k) {
    e2e_write_vaccine(k % 2 ? "fun:worker_parse\n" : "fun:worker_parse=return:-3\nfun:other\n");
    double ms = e2e_wait_armed("other", k % 2 ? 0 : 1);
    changes += ms >= 0;
  }
  for (int i = 0; i < THREADS; ++i) pthread_join(t[i], NULL);
  int bad = 0;
  for (int i = 0; i < THREADS; ++i) bad += wrong[i];
  CHECK_INT(changes, 30);
  CHECK_INT(bad, 0);
  CHECK_INT(immune_function_aborts("worker_parse"), THREADS * FAULTS);
  CHECK_INT(immune_function_armed("worker_parse"), 1);
  return e2e_done();
}
