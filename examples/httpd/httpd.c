/* httpd: a tiny single-process HTTP/1.0 server with a real parsing bug, used
 * by `make demo` to show what Immune changes for a service.
 *
 *   httpd PORT            listen on 127.0.0.1:PORT (0: any free port)
 *
 *   GET /greet?name=Bob   200 "Hello, Bob!"
 *   GET /greet?name       parse_query dereferences NULL (the bug)
 *   GET /stats            faults healed so far (only in the Immune build)
 *
 * The bug is the ordinary kind: parse_query assumes every query parameter is
 * "key=value" and writes through strchr(pair, '=') without checking it. The
 * caller already answers 400 Bad Request when parse_query fails, so the only
 * thing missing is a failure instead of a crash. Built plainly, one request
 * takes the whole server down; built with
 *
 *   immune-cc --immune-policy=immune.policy -O2 -g httpd.c -o httpd
 *
 * the fault aborts parse_query's transaction, it returns -1, the client gets
 * its 400 and the server keeps serving. Protection comes from the policy file,
 * not from annotations: this source does not mention Immune except to read a
 * counter, and builds with any C compiler.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_REQUEST 4096
#define MAX_PARAMS 8
#define MAX_FIELD 64

struct param {
  char key[MAX_FIELD];
  char value[MAX_FIELD];
};

struct params {
  int count;
  struct param p[MAX_PARAMS];
};

/* From <immune/immune.h>, declared weak so this file needs neither the header
 * nor the runtime: in the plain build the symbol stays null and /stats says
 * so; in the Immune build the runtime (linked in by immune-cc) defines it. */
uint64_t immune_recoveries(void) __attribute__((weak));

/* Copies at most MAX_FIELD - 1 bytes of src; -1 when src does not fit. */
static int copy_field(char *dst, const char *src) {
  size_t n = strlen(src);
  if (n >= MAX_FIELD)
    return -1;
  memcpy(dst, src, n + 1);
  return 0;
}

/* Splits "a=1&b=2" into out. Returns 0, or -1 for a query it cannot accept
 * (too long, too many parameters, oversized key or value). */
static int parse_query(const char *query, struct params *out) {
  char buf[MAX_REQUEST];
  char *save = NULL;

  if (strlen(query) >= sizeof buf)
    return -1;
  strcpy(buf, query);
  out->count = 0;
  for (char *pair = strtok_r(buf, "&", &save); pair;
       pair = strtok_r(NULL, "&", &save)) {
    if (out->count == MAX_PARAMS)
      return -1;
    char *eq = strchr(pair, '=');
    /* BUG: "?name" has no '=', eq is NULL, and this store faults. The fix is
     * `if (!eq) return -1;` -- left out on purpose: it is what Immune heals. */
    *eq = '\0';
    struct param *p = &out->p[out->count];
    if (copy_field(p->key, pair) != 0 || copy_field(p->value, eq + 1) != 0)
      return -1;
    out->count++;
  }
  return 0;
}

static const char *param_get(const struct params *ps, const char *key) {
  for (int i = 0; i < ps->count; i++)
    if (strcmp(ps->p[i].key, key) == 0)
      return ps->p[i].value;
  return NULL;
}

static const char *reason_phrase(int status) {
  switch (status) {
  case 200: return "OK";
  case 400: return "Bad Request";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  default: return "Internal Server Error";
  }
}

/* Writes all of buf, retrying short writes; errors are the client's problem
 * (SIGPIPE is ignored, so a vanished client only shows up as EPIPE here). */
static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    buf += n;
    len -= (size_t)n;
  }
}

static void respond(int fd, int status, const char *body) {
  char head[256];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.0 %d %s\r\n"
                   "Content-Type: text/plain\r\n"
                   "Content-Length: %zu\r\n"
                   "Connection: close\r\n\r\n",
                   status, reason_phrase(status), strlen(body));
  write_all(fd, head, (size_t)n);
  write_all(fd, body, strlen(body));
}

/* Reads until the end of the header block, a full buffer, EOF or the receive
 * timeout. Returns the bytes read (NUL-terminated in buf), or -1. */
static ssize_t read_request(int fd, char *buf, size_t size) {
  size_t len = 0;
  while (len < size - 1) {
    ssize_t n = read(fd, buf + len, size - 1 - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    len += (size_t)n;
    buf[len] = '\0';
    if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
      break;
  }
  buf[len] = '\0';
  return len > 0 ? (ssize_t)len : -1;
}

/* Routes one request line ("GET /path?query HTTP/1.0") to its answer. */
static int route(char *line, char *body, size_t size) {
  char *save = NULL;
  char *method = strtok_r(line, " ", &save);
  char *target = strtok_r(NULL, " ", &save);
  if (!method || !target) {
    snprintf(body, size, "malformed request line\n");
    return 400;
  }
  if (strcmp(method, "GET") != 0) {
    snprintf(body, size, "only GET is supported\n");
    return 405;
  }

  char *query = strchr(target, '?');
  if (query)
    *query++ = '\0';

  if (strcmp(target, "/greet") == 0) {
    struct params ps;
    if (!query || parse_query(query, &ps) != 0) {
      snprintf(body, size, "bad query string\n");
      return 400;
    }
    const char *name = param_get(&ps, "name");
    if (!name || !*name) {
      snprintf(body, size, "missing parameter: name\n");
      return 400;
    }
    snprintf(body, size, "Hello, %s!\n", name);
    return 200;
  }
  if (strcmp(target, "/stats") == 0) {
    if (immune_recoveries)
      snprintf(body, size, "recoveries: %llu\n",
               (unsigned long long)immune_recoveries());
    else
      snprintf(body, size, "recoveries: unknown (not built with Immune)\n");
    return 200;
  }
  snprintf(body, size, "not found\n");
  return 404;
}

static void serve(int fd) {
  char req[MAX_REQUEST];
  char body[512];

  /* One slow client must not stall a single-process server forever. */
  struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  if (read_request(fd, req, sizeof req) < 0)
    return;
  req[strcspn(req, "\r\n")] = '\0';
  char line[MAX_REQUEST];
  snprintf(line, sizeof line, "%s", req); /* route() splits it in place */
  int status = route(line, body, sizeof body);
  fprintf(stderr, "httpd: \"%s\" %d\n", req, status);
  respond(fd, status, body);
}

int main(int argc, char **argv) {
  char *end = NULL;
  long port = argc == 2 ? strtol(argv[1], &end, 10) : -1;
  if (argc != 2 || *end != '\0' || port < 0 || port > 65535) {
    fprintf(stderr, "usage: %s PORT   (0 picks a free port)\n", argv[0]);
    return 2;
  }
  /* A client that hangs up before its answer is written must not kill us. */
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stderr, NULL, _IOLBF, 0);

  int ls = socket(AF_INET, SOCK_STREAM, 0);
  if (ls < 0) {
    perror("httpd: socket");
    return 1;
  }
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof addr;
  if (bind(ls, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      listen(ls, 16) != 0 ||
      getsockname(ls, (struct sockaddr *)&addr, &alen) != 0) {
    perror("httpd: bind/listen");
    return 1;
  }
  /* The actual port matters when PORT is 0; demo.sh reads it from here. */
  fprintf(stderr, "httpd: listening on http://127.0.0.1:%d/\n",
          ntohs(addr.sin_port));

  for (;;) {
    int fd = accept(ls, NULL, NULL);
    if (fd < 0) {
      if (errno != EINTR)
        perror("httpd: accept");
      continue;
    }
    serve(fd);
    close(fd);
  }
}
