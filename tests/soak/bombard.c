/* bombard: a loopback load generator that checks every answer.
 *
 *   bombard [options] SERVER_BINARY
 *
 * Starts the example HTTP server (examples/httpd: `SERVER_BINARY 0` listens
 * on a free 127.0.0.1 port and logs it on stderr), then sends it a fixed
 * number of requests that fault inside parse_query(), interleaved with good
 * requests, one short HTTP/1.0 connection each, from several client threads
 * at once. Every answer is compared byte for byte with what the server must
 * say: 400 "bad query string" for a faulting request (the healed
 * parse_query() returned -1), the exact greeting or error for a good one.
 *
 * The load runs in epochs. Between epochs every client is idle (each has read
 * its answer to the end, so the server has closed that connection), and the
 * server's RSS, open descriptors and threads are read from /proc/PID. The
 * first epoch is the warm-up; after it, RSS may grow by less than
 * --rss-limit-kib and the descriptor and thread counts must not change. At
 * the end, GET /stats must report exactly as many recoveries as faulting
 * requests were sent, and the server must still be alive (it is then
 * stopped with SIGTERM).
 *
 * The server runs with IMMUNE_OPTIONS=max_recoveries=0:verbosity=0 (set here,
 * whatever the caller's environment says): no escalation budget, since a
 * million faults at one function in a few seconds is the point, and nothing
 * on stderr per recovery, so stderr carries only the server's access log (read
 * and counted here; an "immune:" line there is a failure).
 *
 * Options (defaults in brackets):
 *   --faults N          faulting requests to send [20000]
 *   --good-every K      one good request after every K faulting ones [4]
 *   --clients C         client threads, each one connection at a time [4]
 *   --epochs E          measurement points [20]; epoch 1 is the warm-up
 *   --seconds S         give up (and fail) after S seconds [600]
 *   --timeout S         per request: no answer within S seconds fails [10]
 *   --rss-limit-kib K   allowed RSS growth after warm-up [1024]
 *   --seed X            request mix [1]
 *   --json FILE         also write the figures as one JSON object
 *
 * Exit status: 0 when every check passed, 1 when one failed (each failure is
 * printed), 2 on a usage or set-up error. Only 127.0.0.1 is ever contacted. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- options ------------------------------------------------------------ */

static uint64_t opt_faults = 20000;
static unsigned opt_good_every = 4;
static unsigned opt_clients = 4;
static unsigned opt_epochs = 20;
static double opt_seconds = 600;
static int opt_timeout = 10;
static long opt_rss_limit_kib = 1024;
static uint64_t opt_seed = 1;
static const char *opt_json;
static const char *server_path;

static const char *const server_env = "IMMUNE_OPTIONS=max_recoveries=0:verbosity=0";

static void usage(void) {
  fprintf(stderr,
          "usage: bombard [--faults N] [--good-every K] [--clients C] [--epochs E]\n"
          "               [--seconds S] [--timeout S] [--rss-limit-kib K] [--seed X]\n"
          "               [--json FILE] SERVER_BINARY\n");
  exit(2);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- failures ------------------------------------------------------------ */

static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint failures;
static atomic_int stop_all; /* a fatal failure: clients stop sending */

/* Prints the first 20 failures in full; every one is counted. */
static void failf(const char *fmt, ...) {
  unsigned n = atomic_fetch_add(&failures, 1);
  if (n >= 20) {
    if (n == 20) fprintf(stderr, "bombard: (further failures are only counted)\n");
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  pthread_mutex_lock(&fail_lock);
  fprintf(stderr, "bombard: FAIL: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  pthread_mutex_unlock(&fail_lock);
  va_end(ap);
}

/* ---- the server ----------------------------------------------------------- */

static pid_t server_pid;
static atomic_int server_port;
static atomic_uint_fast64_t access_lines;  /* "httpd: ..." lines on its stderr */
static atomic_uint_fast64_t immune_lines;  /* "immune: ..." lines: must be none */
static char first_immune_line[256];
static char stderr_tail[8][256];           /* its last lines, for diagnostics */
static unsigned tail_next;

static void note_line(const char *line) {
  int port;
  if (atomic_load(&server_port) == 0 &&
      sscanf(line, "httpd: listening on http://127.0.0.1:%d/", &port) == 1) {
    atomic_store(&server_port, port);
    return;
  }
  if (strncmp(line, "httpd: \"", 8) == 0) {
    atomic_fetch_add(&access_lines, 1);
  } else if (strncmp(line, "immune:", 7) == 0) {
    if (atomic_fetch_add(&immune_lines, 1) == 0)
      snprintf(first_immune_line, sizeof first_immune_line, "%s", line);
  }
  snprintf(stderr_tail[tail_next++ % 8], sizeof stderr_tail[0], "%s", line);
}

/* Drains the server's stderr (a pipe) line by line until it closes. */
static void *stderr_reader(void *arg) {
  int fd = (int)(intptr_t)arg;
  static char buf[65536];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
    char *start = buf, *nl;
    while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
      *nl = '\0';
      note_line(start);
      start = nl + 1;
    }
    len -= (size_t)(start - buf);
    memmove(buf, start, len);
    if (len == sizeof buf - 1) len = 0; /* an absurdly long line: drop it */
  }
  close(fd);
  return NULL;
}

static pthread_t reader_thread;

static void start_server(void) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    perror("bombard: pipe");
    exit(2);
  }
  server_pid = fork();
  if (server_pid < 0) {
    perror("bombard: fork");
    exit(2);
  }
  if (server_pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(p[1], 2);
    putenv((char *)server_env);
    execl(server_path, server_path, "0", (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  pthread_create(&reader_thread, NULL, stderr_reader, (void *)(intptr_t)p[0]);
  for (int i = 0; i < 200 && atomic_load(&server_port) == 0; ++i) {
    if (waitpid(server_pid, NULL, WNOHANG) == server_pid) break;
    usleep(50 * 1000);
  }
  if (atomic_load(&server_port) == 0) {
    fprintf(stderr, "bombard: %s did not start listening within 10 s\n", server_path);
    kill(server_pid, SIGKILL);
    exit(2);
  }
}

/* Whether the server has ended (then it is reaped, its wait status kept).
 * Called from every client thread when a request gets no answer. */
static pthread_mutex_t reap_lock = PTHREAD_MUTEX_INITIALIZER;
static int server_reaped, server_status;
static int server_gone(void) {
  pthread_mutex_lock(&reap_lock);
  int st;
  if (!server_reaped && waitpid(server_pid, &st, WNOHANG) == server_pid) {
    server_reaped = 1;
    server_status = st;
  }
  int gone = server_reaped;
  pthread_mutex_unlock(&reap_lock);
  return gone;
}

static void describe_status(int st, char *out, size_t size) {
  if (WIFSIGNALED(st))
    snprintf(out, size, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
  else
    snprintf(out, size, "exited with status %d", WEXITSTATUS(st));
}

/* ---- /proc/PID ------------------------------------------------------------ */

struct sample {
  long rss_kib, hwm_kib, threads, fds;
};

static struct sample sample_server(void) {
  struct sample s = {-1, -1, -1, -1};
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)server_pid);
  FILE *f = fopen(path, "re");
  if (f) {
    while (fgets(line, sizeof line, f)) {
      sscanf(line, "VmRSS: %ld", &s.rss_kib);
      sscanf(line, "VmHWM: %ld", &s.hwm_kib);
      sscanf(line, "Threads: %ld", &s.threads);
    }
    fclose(f);
  }
  snprintf(path, sizeof path, "/proc/%d/fd", (int)server_pid);
  DIR *d = opendir(path);
  if (d) {
    s.fds = 0;
    struct dirent *e;
    while ((e = readdir(d)))
      if (e->d_name[0] != '.') s.fds++;
    closedir(d);
  }
  return s;
}

/* ---- requests -------------------------------------------------------------- */

static uint64_t mix(uint64_t x) { /* splitmix64 */
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct request {
  char path[3600];
  int faults;        /* parse_query() faults on it */
  int status;        /* the answer the server must give */
  char body[160];
};

static const char bad_query[] = "bad query string\n";

/* Request number i of the run: every (good_every + 1)-th one is good, the
 * others fault; which of several shapes it takes follows from the seed. */
static void make_request(uint64_t i, struct request *r) {
  uint64_t h = mix(i ^ mix(opt_seed));
  char name[24];
  unsigned len = 1 + (unsigned)(h >> 8) % 20;
  for (unsigned k = 0; k < len; ++k)
    name[k] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[mix(h + k) % 62];
  name[len] = '\0';
  r->faults = (i % (opt_good_every + 1)) != opt_good_every;
  if (r->faults) {
    r->status = 400;
    snprintf(r->body, sizeof r->body, "%s", bad_query);
    switch (h % 5) {
    case 0: /* the demo's attack */
      snprintf(r->path, sizeof r->path, "/greet?name");
      break;
    case 1: /* a good pair first: the fault comes in the second round */
      snprintf(r->path, sizeof r->path, "/greet?name=%s&lang", name);
      break;
    case 2: /* several good pairs, then the bad one */
      snprintf(r->path, sizeof r->path, "/greet?a=1&b=2&c=3&name=%s&%s", name, name);
      break;
    case 3: /* empty pairs are skipped; "=" alone is fine; then the fault */
      snprintf(r->path, sizeof r->path, "/greet?&&=&%s", name);
      break;
    default: { /* a long query (3000 bytes, copied into the guarded buffer) */
      int n = snprintf(r->path, sizeof r->path, "/greet?");
      memset(r->path + n, 'x', 3000);
      r->path[n + 3000] = '\0';
      break;
    }
    }
    return;
  }
  switch (h % 6) {
  case 0:
  case 1:
    snprintf(r->path, sizeof r->path, "/greet?name=%s", name);
    r->status = 200;
    snprintf(r->body, sizeof r->body, "Hello, %s!\n", name);
    break;
  case 2:
    snprintf(r->path, sizeof r->path, "/greet?lang=en&name=%s&x=%u", name, len);
    r->status = 200;
    snprintf(r->body, sizeof r->body, "Hello, %s!\n", name);
    break;
  case 3: /* parse_query() fails without a fault: nine parameters */
    snprintf(r->path, sizeof r->path, "/greet?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&name=%s", name);
    r->status = 400;
    snprintf(r->body, sizeof r->body, "%s", bad_query);
    break;
  case 4: /* parsed, but no name */
    snprintf(r->path, sizeof r->path, "/greet?name=&%s=1", name);
    r->status = 400;
    snprintf(r->body, sizeof r->body, "missing parameter: name\n");
    break;
  default:
    snprintf(r->path, sizeof r->path, "/%s", name);
    r->status = 404;
    snprintf(r->body, sizeof r->body, "not found\n");
    break;
  }
}

static const char *reason(int status) {
  switch (status) {
  case 200: return "OK";
  case 400: return "Bad Request";
  case 404: return "Not Found";
  default: return "?";
  }
}

/* One request on its own connection. Returns 0 when the answer was exactly
 * the expected one, 1 for a wrong answer, 2 for no (complete) answer.
 * Fills got[] with what came back (for the failure message). */
static int exchange(const char *path, int want_status, const char *want_body,
                    char *got, size_t got_size, double *latency) {
  char req[4096];
  int reqlen = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\n\r\n", path);
  double t0 = now();
  got[0] = '\0';
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(got, got_size, "socket: %s", strerror(errno));
    return 2;
  }
  struct timeval tv = {.tv_sec = opt_timeout};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)atomic_load(&server_port)),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    snprintf(got, got_size, "connect: %s", strerror(errno));
    close(fd);
    return 2;
  }
  for (int off = 0; off < reqlen;) {
    ssize_t n = write(fd, req + off, (size_t)(reqlen - off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      snprintf(got, got_size, "write: %s", n < 0 ? strerror(errno) : "closed");
      close(fd);
      return 2;
    }
    off += (int)n;
  }
  char resp[2048];
  size_t len = 0;
  int err = 0;
  for (;;) {
    ssize_t n = read(fd, resp + len, sizeof resp - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno;
    if (n <= 0 || len + (size_t)n >= sizeof resp - 1) {
      if (n > 0) len += (size_t)n;
      break;
    }
    len += (size_t)n;
  }
  close(fd);
  resp[len] = '\0';
  *latency = now() - t0;
  if (err) {
    snprintf(got, got_size, "read after %zu bytes: %s%s", len, strerror(err),
             err == EAGAIN ? " (no answer within the timeout)" : "");
    return 2;
  }
  char want[512];
  snprintf(want, sizeof want,
           "HTTP/1.0 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
           "Connection: close\r\n\r\n%s",
           want_status, reason(want_status), strlen(want_body), want_body);
  snprintf(got, got_size, "%s", resp);
  if (len == 0) return 2;
  return strcmp(resp, want) == 0 ? 0 : 1;
}

/* ---- the clients ------------------------------------------------------------ */

static uint64_t total_requests;         /* faults + good ones */
static atomic_uint_fast64_t next_index; /* the next request number to send */
static uint64_t epoch_end;              /* requests below this belong to this epoch */
static pthread_barrier_t epoch_barrier;

struct client_stats {
  uint64_t sent, faulting, good, wrong_good, wrong_faulting, no_answer;
  double max_latency;
  uint64_t slow; /* answers that took over 100 ms */
} __attribute__((aligned(64)));

static struct client_stats *stats;

static void one_request(struct client_stats *cs, uint64_t i) {
  static _Thread_local struct request r;
  char got[2048];
  double lat = 0;
  make_request(i, &r);
  int rc = exchange(r.path, r.status, r.body, got, sizeof got, &lat);
  cs->sent++;
  if (r.faults) cs->faulting++; else cs->good++;
  if (lat > cs->max_latency) cs->max_latency = lat;
  if (lat > 0.1) cs->slow++;
  if (rc == 0) return;
  char shown[96];
  snprintf(shown, sizeof shown, "%.80s%s", r.path, strlen(r.path) > 80 ? "..." : "");
  if (rc == 2) {
    cs->no_answer++;
    failf("request %" PRIu64 " (GET %s): no answer: %s", i, shown, got);
    if (server_gone()) atomic_store(&stop_all, 1);
  } else {
    if (r.faults) cs->wrong_faulting++; else cs->wrong_good++;
    failf("request %" PRIu64 " (GET %s, %s): wrong answer: got \"%.200s\", want %d \"%s\"",
          i, shown, r.faults ? "faulting" : "good", got, r.status, r.body);
  }
}

static void *client(void *arg) {
  struct client_stats *cs = arg;
  for (;;) {
    pthread_barrier_wait(&epoch_barrier); /* an epoch starts (or the run ends) */
    if (atomic_load(&stop_all) == 2) return NULL;
    for (;;) {
      if (atomic_load(&stop_all)) break;
      /* Take the next number only if it belongs to this epoch. */
      uint64_t i = atomic_load(&next_index);
      do {
        if (i >= epoch_end) break;
      } while (!atomic_compare_exchange_weak(&next_index, &i, i + 1));
      if (i >= epoch_end) break;
      one_request(cs, i);
    }
    pthread_barrier_wait(&epoch_barrier); /* every client is idle */
  }
}

/* ---- main ---------------------------------------------------------------------- */

static uint64_t parse_u64(const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || end == s) usage();
  return v;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (a[0] != '-') {
      if (server_path) usage();
      server_path = a;
      continue;
    }
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(a, "--faults")) opt_faults = parse_u64(v);
    else if (!strcmp(a, "--good-every")) opt_good_every = (unsigned)parse_u64(v);
    else if (!strcmp(a, "--clients")) opt_clients = (unsigned)parse_u64(v);
    else if (!strcmp(a, "--epochs")) opt_epochs = (unsigned)parse_u64(v);
    else if (!strcmp(a, "--seconds")) opt_seconds = (double)parse_u64(v);
    else if (!strcmp(a, "--timeout")) opt_timeout = (int)parse_u64(v);
    else if (!strcmp(a, "--rss-limit-kib")) opt_rss_limit_kib = (long)parse_u64(v);
    else if (!strcmp(a, "--seed")) opt_seed = parse_u64(v);
    else if (!strcmp(a, "--json")) opt_json = v;
    else usage();
  }
  if (!server_path || opt_faults == 0 || opt_good_every == 0 || opt_clients == 0 ||
      opt_epochs < 2 || opt_timeout <= 0)
    usage();
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IOLBF, 0);

  /* Request i is good when i % (K+1) == K, so N faults need this many. */
  uint64_t k = opt_good_every;
  total_requests = opt_faults / k * (k + 1) + opt_faults % k;
  uint64_t want_good = total_requests - opt_faults;

  start_server();
  printf("bombard: %s pid %d on 127.0.0.1:%d, %s\n", server_path, (int)server_pid,
         atomic_load(&server_port), server_env);
  printf("bombard: %" PRIu64 " faulting + %" PRIu64 " good requests, %u clients, %u epochs "
         "(the first is the warm-up)\n",
         opt_faults, want_good, opt_clients, opt_epochs);

  stats = aligned_alloc(64, sizeof *stats * opt_clients);
  memset(stats, 0, sizeof *stats * opt_clients);
  pthread_barrier_init(&epoch_barrier, NULL, opt_clients + 1);
  pthread_t *threads = calloc(opt_clients, sizeof *threads);
  for (unsigned c = 0; c < opt_clients; ++c)
    pthread_create(&threads[c], NULL, client, &stats[c]);

  struct sample base = {0}, last = {0};
  long max_rss = 0, min_rss = 0;
  int fd_changes = 0, thread_changes = 0;
  double t_start = now(), t_warm = t_start;
  unsigned epochs_done = 0;
  int timed_out = 0;
  for (unsigned e = 0; e < opt_epochs; ++e) {
    epoch_end = total_requests * (e + 1) / opt_epochs;
    pthread_barrier_wait(&epoch_barrier); /* go */
    pthread_barrier_wait(&epoch_barrier); /* all idle */
    epochs_done++;
    if (server_gone() || atomic_load(&stop_all)) break;
    struct sample s = sample_server();
    last = s;
    uint64_t sent = epoch_end < total_requests ? epoch_end : total_requests;
    printf("bombard: epoch %2u: %9" PRIu64 " requests, %7.1f s, RSS %ld KiB, %ld fds, "
           "%ld threads\n",
           e + 1, sent, now() - t_start, s.rss_kib, s.fds, s.threads);
    if (e == 0) {
      base = s;
      max_rss = min_rss = s.rss_kib;
      t_warm = now();
    } else {
      if (s.rss_kib > max_rss) max_rss = s.rss_kib;
      if (s.rss_kib < min_rss) min_rss = s.rss_kib;
      if (s.fds != base.fds) {
        fd_changes++;
        failf("epoch %u: the server has %ld open descriptors, %ld after the warm-up",
              e + 1, s.fds, base.fds);
      }
      if (s.threads != base.threads) {
        thread_changes++;
        failf("epoch %u: the server has %ld threads, %ld after the warm-up", e + 1,
              s.threads, base.threads);
      }
    }
    if (now() - t_start > opt_seconds && e + 1 < opt_epochs) {
      timed_out = 1;
      failf("time limit: %.0f s passed after %u of %u epochs", opt_seconds, e + 1, opt_epochs);
      break;
    }
  }
  double t_end = now();
  atomic_store(&stop_all, 2);
  pthread_barrier_wait(&epoch_barrier); /* release the clients to exit */
  for (unsigned c = 0; c < opt_clients; ++c) pthread_join(threads[c], NULL);

  struct client_stats sum = {0};
  for (unsigned c = 0; c < opt_clients; ++c) {
    sum.sent += stats[c].sent;
    sum.faulting += stats[c].faulting;
    sum.good += stats[c].good;
    sum.wrong_good += stats[c].wrong_good;
    sum.wrong_faulting += stats[c].wrong_faulting;
    sum.no_answer += stats[c].no_answer;
    sum.slow += stats[c].slow;
    if (stats[c].max_latency > sum.max_latency) sum.max_latency = stats[c].max_latency;
  }

  /* Exactly one recovery per faulting request, and the server still up. */
  long long recoveries = -1;
  int alive_at_end = !server_gone();
  if (alive_at_end) {
    char got[2048];
    double lat;
    exchange("/stats", 200, "", got, sizeof got, &lat);
    const char *b = strstr(got, "\r\n\r\n");
    if (!b || sscanf(b + 4, "recoveries: %lld", &recoveries) != 1)
      failf("GET /stats: unexpected answer \"%.200s\"", got);
    else if ((uint64_t)recoveries != sum.faulting)
      failf("GET /stats: %lld recoveries, but %" PRIu64 " faulting requests were sent",
            recoveries, sum.faulting);
  }
  struct sample final = alive_at_end ? sample_server() : last;

  /* Stop the server; it must die of our SIGTERM, not of anything earlier. */
  char how[128] = "";
  if (alive_at_end) {
    kill(server_pid, SIGTERM);
    int st;
    waitpid(server_pid, &st, 0);
    describe_status(st, how, sizeof how);
    if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM))
      failf("the server did not end by our SIGTERM: %s", how);
  } else {
    describe_status(server_status, how, sizeof how);
    failf("the server died during the run: %s", how);
  }
  pthread_join(reader_thread, NULL);
  int crashes = !alive_at_end;

  if (sum.faulting != opt_faults && !timed_out && !crashes)
    failf("%" PRIu64 " faulting requests sent, %" PRIu64 " planned", sum.faulting, opt_faults);
  if (atomic_load(&immune_lines))
    failf("%" PRIuFAST64 " \"immune:\" lines on the server's stderr (verbosity=0), first: %s",
          atomic_load(&immune_lines), first_immune_line);
  if (atomic_load(&access_lines) != sum.sent + (alive_at_end ? 1 : 0) && !crashes)
    failf("the server logged %" PRIuFAST64 " requests, %" PRIu64 " were sent",
          atomic_load(&access_lines), sum.sent + 1);
  long growth = max_rss - base.rss_kib;
  if (final.rss_kib - base.rss_kib > growth) growth = final.rss_kib - base.rss_kib;
  if (epochs_done > 1 && growth >= opt_rss_limit_kib)
    failf("RSS grew by %ld KiB after the warm-up (%ld -> max %ld KiB), limit %ld KiB",
          growth, base.rss_kib, max_rss, opt_rss_limit_kib);
  if (final.fds != base.fds && alive_at_end)
    failf("the server ended with %ld open descriptors, %ld after the warm-up", final.fds,
          base.fds);

  double secs = t_end - t_start;
  unsigned nfail = atomic_load(&failures);
  printf("bombard: %" PRIu64 " requests (%" PRIu64 " faulting, %" PRIu64 " good) in %.1f s, "
         "%.0f requests/s\n",
         sum.sent, sum.faulting, sum.good, secs, secs > 0 ? (double)sum.sent / secs : 0.0);
  printf("bombard: crashes %d, wrong answers to good requests %" PRIu64
         ", to faulting requests %" PRIu64 ", requests without an answer %" PRIu64 "\n",
         crashes, sum.wrong_good, sum.wrong_faulting, sum.no_answer);
  printf("bombard: recoveries reported by the server %lld; slowest answer %.3f s, "
         "%" PRIu64 " over 100 ms\n",
         recoveries, sum.max_latency, sum.slow);
  printf("bombard: RSS after warm-up %ld KiB, max later %ld KiB, at the end %ld KiB "
         "(growth %ld KiB; limit %ld); peak (VmHWM) %ld KiB\n",
         base.rss_kib, max_rss, final.rss_kib, growth, opt_rss_limit_kib, final.hwm_kib);
  printf("bombard: descriptors %ld after warm-up, %ld at the end (%d changes); threads %ld "
         "(%d changes)\n",
         base.fds, final.fds, fd_changes, base.threads, thread_changes);
  printf("bombard: server %s\n", alive_at_end ? "alive until stopped (SIGTERM)" : how);
  if (opt_json) {
    FILE *f = fopen(opt_json, "w");
    if (f) {
      fprintf(f,
              "{\"server\":\"%s\",\"server_env\":\"%s\",\"clients\":%u,\"epochs\":%u,"
              "\"requests\":%" PRIu64 ",\"faulting\":%" PRIu64 ",\"good\":%" PRIu64 ","
              "\"seconds\":%.2f,\"warmup_seconds\":%.2f,\"requests_per_second\":%.0f,"
              "\"crashes\":%d,\"wrong_good\":%" PRIu64 ",\"wrong_faulting\":%" PRIu64 ","
              "\"no_answer\":%" PRIu64 ",\"recoveries\":%lld,\"max_latency_s\":%.4f,"
              "\"over_100ms\":%" PRIu64 ",\"rss_warm_kib\":%ld,\"rss_max_kib\":%ld,"
              "\"rss_end_kib\":%ld,\"rss_growth_kib\":%ld,\"hwm_kib\":%ld,"
              "\"fds_warm\":%ld,\"fds_end\":%ld,\"threads\":%ld,\"failures\":%u}\n",
              server_path, server_env, opt_clients, opt_epochs, sum.sent, sum.faulting,
              sum.good, secs, t_warm - t_start, secs > 0 ? (double)sum.sent / secs : 0.0,
              crashes, sum.wrong_good, sum.wrong_faulting, sum.no_answer, recoveries,
              sum.max_latency, sum.slow, base.rss_kib, max_rss, final.rss_kib, growth,
              final.hwm_kib, base.fds, final.fds, base.threads, nfail);
      fclose(f);
    }
  }
  if (nfail) {
    printf("bombard: FAIL (%u failures); the server's last stderr lines:\n", nfail);
    for (unsigned j = 0; j < 8; ++j) {
      const char *l = stderr_tail[(tail_next + j) % 8];
      if (*l) printf("    | %.200s\n", l);
    }
    return 1;
  }
  printf("bombard: PASS\n");
  return 0;
}
