#!/bin/sh
# Compiler launcher for the sanitized builds (CMAKE_C_COMPILER_LAUNCHER, set
# by run.sh): compiles as asked, except that in runtime/rollback_heap.c the
# malloc family the runtime interposes is renamed, so the sanitizer's own
# allocator stays the program's malloc. ASan and TSan must own malloc (their
# shadow memory and redzones live in it), and Immune's interposed malloc,
# which forwards to glibc's __libc_malloc and is found before the sanitizer's
# in symbol lookup, would take it from them (and runs instrumented code before
# the sanitizer has initialised: a crash in __asan_init). Heap rollback is
# therefore not exercised under sanitizers (docs/reliability.md).
#   launcher.sh COMPILER ARGS...
case " $* " in
  */runtime/rollback_heap.c\ *)
    renames=
    for f in malloc free calloc realloc reallocarray memalign aligned_alloc \
             posix_memalign malloc_usable_size strdup strndup valloc pvalloc; do
      renames="$renames -D$f=immune_sanitize_unused_$f"
    done
    # shellcheck disable=SC2086 # one word per -D
    exec "$@" $renames ;;
esac
exec "$@"
