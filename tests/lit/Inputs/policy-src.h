// Every function defined in this file is protected by the src: line of
// Inputs/policy.txt.
static inline int from_src_file(int *p) { return *p; }
