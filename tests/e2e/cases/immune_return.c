/* IMMUNE_RETURN(v) states the error value: an errno-style -EINVAL, a double,
 * and 0 on a pointer (NULL).
 * E2E-RECOVERED: 4
 * E2E-STDERR: in open_session \(.*\), returning -22$
 * E2E-STDERR: in load_factor \(.*\), returning 2\.5$
 * E2E-STDERR: in lookup \(.*\), returning NULL$
 * E2E-STDERR: in checked_size \(.*\), returning 4096$
 */
#include <errno.h>

#include "e2e.h"

struct request { int fd; double load; const char *name; };

IMMUNE_RETURN(-EINVAL) int open_session(const struct request *r) {
  return r->fd;
}

IMMUNE_RETURN(2.5) double load_factor(const struct request *r) {
  return r->load * 2;
}

IMMUNE_RETURN(0) const char *lookup(const struct request *r) {
  return r->name;
}

IMMUNE_RETURN(4096) unsigned long checked_size(const struct request *r) {
  return (unsigned long)r->fd * 10;
}

int main(void) {
  e2e_setup_stdio();
  struct request good = {3, 0.25, "alpha"};
  const struct request *bad = E2E_NULL(const struct request *);
  CHECK_INT(open_session(&good), 3);
  CHECK_INT(open_session(bad), -EINVAL);
  CHECK_FLT(load_factor(&good), 0.5);
  CHECK_FLT(load_factor(bad), 2.5);
  CHECK_PTR(lookup(&good), good.name);
  CHECK_PTR(lookup(bad), NULL);
  CHECK_UINT(checked_size(&good), 30);
  CHECK_UINT(checked_size(bad), 4096);
  CHECK_INT(immune_recoveries(), 4);
  CHECK_DEPTH0();
  return e2e_done();
}
