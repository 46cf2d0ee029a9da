/* Included first into every runtime source file (a -include compile option
 * in runtime/CMakeLists.txt, so nothing else — not the tests that include
 * internal.h — is affected): all runtime code goes to one section, so the
 * fault handler can tell a fault in the runtime itself (never healed: the
 * threat model) from a fault in the program. The linker defines
 * __start_immune_rt_text and __stop_immune_rt_text around it. */
#pragma clang section text = "immune_rt_text"
