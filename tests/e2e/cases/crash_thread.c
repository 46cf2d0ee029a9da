/* A fault outside every transaction on a second thread kills the whole
 * process as without Immune, after the same thread healed one.
 * E2E-RECOVERED: 1
 * E2E-STDOUT: MARK thread healed once
 * E2E-STDOUT: MARK thread faulting outside any transaction
 */
#include <pthread.h>

#include "e2e.h"

IMMUNE_PROTECT int checked_read(const int *p) { return *p; }

static void *worker(void *arg) {
  (void)arg;
  if (checked_read(E2E_NULL(const int *)) != -1) return NULL;
  e2e_mark("thread healed once");
  e2e_mark("thread faulting outside any transaction");
  *E2E_NULL(volatile int *) = 1;
  printf("FAIL: thread survived a fault outside any transaction\n");
  return NULL;
}

int main(void) {
  e2e_setup_stdio();
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  printf("FAIL: process survived its thread's fault\n");
  return 1;
}
