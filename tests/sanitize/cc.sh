#!/bin/sh
# The compiler the sanitized e2e runs use in place of immune-cc (run.sh
# passes it to tests/e2e/run_case.sh): the real immune-cc of the main build
# (its plugin, its headers) with the sanitizer flags added, and, when linking
# an executable, the sanitized runtime instead of the normal one.
#
# Environment (set by run.sh):
#   SANITIZE_IMMUNE_CC   the main build's bin/immune-cc (or immune-c++)
#   SANITIZE_RUNTIME     the sanitized libimmune_rt.a
#   SANITIZE_FLAGS       -fsanitize=... for compiling and linking
#   SANITIZE_LDFLAGS     the sanitizer runtime as a shared library (-shared-libsan
#                        and its rpath): Immune's interceptors (pthread_create,
#                        sigaction, longjmp, ...) forward with
#                        dlsym(RTLD_NEXT), which then reaches the sanitizer's
#                        interceptors; with a static sanitizer runtime
#                        Immune's definitions would replace them.
link=1 shared=0
for a in "$@"; do
  case $a in
    -c|-S|-E|-M|-MM) link=0 ;;
    -shared) shared=1 ;;
  esac
done
# shellcheck disable=SC2086 # flag lists
if [ "$link" = 0 ]; then
  exec "$SANITIZE_IMMUNE_CC" "$@" $SANITIZE_FLAGS
elif [ "$shared" = 1 ]; then
  exec "$SANITIZE_IMMUNE_CC" "$@" $SANITIZE_FLAGS $SANITIZE_LDFLAGS
else
  exec "$SANITIZE_IMMUNE_CC" --immune-no-runtime "$@" \
    -Wl,--whole-archive "$SANITIZE_RUNTIME" -Wl,--no-whole-archive -ldl -lpthread \
    $SANITIZE_FLAGS $SANITIZE_LDFLAGS
fi
