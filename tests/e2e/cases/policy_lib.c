/* Second source of policy.c: selected as a whole by a src: line. */
int lib_count(const int *p) { return *p + 1; }
const char *lib_name(const char *const *p) { return *p; }
int lib_hot_path(int x) { return x + 1; }
