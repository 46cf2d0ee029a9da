/* Second file of lto.c: small functions the link-time inliner would fold
 * into main. */
#include <immune/immune.h>

IMMUNE_PROTECT int lto_get(const int *p) { return *p; }

/* Unprotected, so it may be inlined into main; the fault is inside the
 * protected call it makes. */
int lto_sum(const int *p, int n) {
  int s = 0;
  for (int i = 0; i < n; ++i) {
    int v = lto_get(p + i);
    if (v < 0) return v;
    s += v;
  }
  return s;
}
