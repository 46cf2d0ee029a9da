"""One module per program of the evaluation: how to build it from its
Debian source package, how to run its own test suite (results per test, so
two builds can be compared test by test), and its campaign workload."""
