// What a piece of runtime code writes to stderr: the runtime writes with
// write(2) on fd 2 (never stdio), so the capture swaps fd 2 itself for a
// temporary file around the call.
#ifndef IMMUNE_TEST_STDERR_CAPTURE_H
#define IMMUNE_TEST_STDERR_CAPTURE_H

#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

// A file rather than a pipe: a pipe would block a writer that fills it.
template <typename F> std::string capture_stderr(F body) {
  std::fflush(stderr);
  std::FILE *tmp = std::tmpfile();
  if (!tmp) return "<tmpfile failed>";
  int saved = dup(2);
  dup2(fileno(tmp), 2);
  body();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string out;
  char chunk[4096];
  std::rewind(tmp);
  for (size_t n; (n = std::fread(chunk, 1, sizeof chunk, tmp)) > 0;) out.append(chunk, n);
  std::fclose(tmp);
  return out;
}

// The text split at '\n'; a last line without its '\n' is kept, so a line
// that lost its terminator shows up as such.
inline std::vector<std::string> lines_of(const std::string &text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

#endif
