/*
 * jnet-<type>: the native shim of a CNI plugin (compiled once per type by assemble.sh with -DJNET_TYPE="<type>").
 *
 * VERSION is answered here. Any other call goes to `jnet daemon` over its Unix socket (JNET_SOCKET, default
 * /run/jnet/jnet.sock): the CNI_* and JNET_* environment and stdin go out, and the daemon's stdout, stderr and exit
 * code come back (protocol in README.md, "The daemon and the shims"). When no daemon listens, or it speaks another
 * protocol version, or it tells us to (another network namespace), the shim execs the JVM launcher
 * <home>/libexec/jnet-<type> with the same arguments and stdin (direct mode). If the daemon dies after the request
 * was sent, DEL runs directly (a DEL must not fail because the daemon went away) and ADD, CHECK, GC and STATUS
 * report CNI error 11, "try again later": the daemon may have done part of the call, and the runtime decides.
 *
 * A daemon that hangs is treated like one that died: the call has a deadline (connect, send and answer together)
 * of JNET_SHIM_TIMEOUT seconds, 60 by default.
 *
 * JNET_SHIM=direct always runs directly; JNET_SHIM=daemon never does (no daemon is error 11): for tests and
 * diagnosis. The home is found through /proc/self/exe, so a symlink to the shim works.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef JNET_TYPE
#error "compile with -DJNET_TYPE=\"<plugin type>\""
#endif
#include "shim-versions.h"    /* JNET_VERSIONS: the VERSION reply, fixed at build time */

#define PROTOCOL 1
#define KIND_RESULT 0
#define KIND_DIRECT 1
#define MAX_STDIN (16 << 20)          /* the direct path's own limit; one byte more tells it the input is too big */
#define DEFAULT_SOCKET "/run/jnet/jnet.sock"
#define DEFAULT_TIMEOUT_MS 60000

static long long deadline_ms;         /* CLOCK_MONOTONIC: when the daemon has had its time */
static long long timeout_ms;
static int timed_out;

extern char **environ;

static char **args;

struct buf {
    unsigned char *data;
    size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) {
            cap *= 2;
        }
        unsigned char *d = realloc(b->data, cap);
        if (d == NULL) {
            fprintf(stderr, "jnet-%s: out of memory\n", JNET_TYPE);
            exit(1);
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_u16(struct buf *b, uint32_t v) {
    unsigned char x[2] = {v >> 8, v};
    put(b, x, 2);
}

static void put_u32(struct buf *b, uint32_t v) {
    unsigned char x[4] = {v >> 24, v >> 16, v >> 8, v};
    put(b, x, 4);
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* Runs the call in a JVM: <home>/libexec/jnet-<type>, with stdin replaced by what was already read, if anything. */
static void direct(const struct buf *stdin_read) {
    char exe[PATH_MAX];
    if (realpath("/proc/self/exe", exe) == NULL) {
        perror("jnet-" JNET_TYPE ": /proc/self/exe");
        exit(1);
    }
    char *slash = strrchr(exe, '/');
    *slash = '\0';
    char launcher[PATH_MAX];
    if (snprintf(launcher, sizeof launcher, "%s/../libexec/jnet-%s", exe, JNET_TYPE) >= (int) sizeof launcher) {
        fprintf(stderr, "jnet-%s: path too long\n", JNET_TYPE);
        exit(1);
    }
    if (stdin_read != NULL) {
        int fd = memfd_create("jnet-stdin", MFD_CLOEXEC);
        if (fd < 0 || write(fd, stdin_read->data, stdin_read->len) != (ssize_t) stdin_read->len
                || lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) != 0) {
            perror("jnet-" JNET_TYPE ": replay stdin");
            exit(1);
        }
    }
    args[0] = launcher;
    execv(launcher, args);
    fprintf(stderr, "jnet-%s: exec %s: %s\n", JNET_TYPE, launcher, strerror(errno));
    exit(1);
}

/* The config's cniVersion if it is one we support, else 1.1.0, as PluginMain picks the version of an error. */
static const char *reply_version(const struct buf *in) {
    static const char *known[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};
    const char *key = memmem(in->data, in->len, "\"cniVersion\"", 12);
    if (key != NULL) {
        const char *p = key + 12, *end = (const char *) in->data + in->len;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':')) {
            p++;
        }
        for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
            size_t n = strlen(known[i]);
            if (end - p > (ptrdiff_t) n + 1 && *p == '"' && memcmp(p + 1, known[i], n) == 0 && p[n + 1] == '"') {
                return known[i];
            }
        }
    }
    return "1.1.0";
}

static void try_again_later(const struct buf *in, const char *why) {
    if (timed_out) {
        printf("{\"cniVersion\":\"%s\",\"code\":11,\"msg\":\"jnet daemon did not answer within %lld ms; try again "
               "later\",\"details\":\"%s (JNET_SHIM_TIMEOUT)\"}\n", reply_version(in), timeout_ms, why);
    } else {
        printf("{\"cniVersion\":\"%s\",\"code\":11,\"msg\":\"jnet daemon went away during the call; try again later\","
               "\"details\":\"%s\"}\n", reply_version(in), why);
    }
    fflush(stdout);
    exit(1);
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* JNET_SHIM_TIMEOUT in seconds (a fraction is fine), else 60 s. */
static long long shim_timeout(void) {
    const char *v = getenv("JNET_SHIM_TIMEOUT");
    if (v != NULL && *v != '\0') {
        char *end;
        double seconds = strtod(v, &end);
        if (*end == '\0' && seconds > 0 && seconds < 86400) {
            return (long long) (seconds * 1000);
        }
        fprintf(stderr, "jnet-%s: ignoring JNET_SHIM_TIMEOUT=%s (not a number of seconds)\n", JNET_TYPE, v);
    }
    return DEFAULT_TIMEOUT_MS;
}

/* Waits until the socket is ready for {@code events} or the deadline passed (-1, errno ETIMEDOUT). */
static int await_socket(int fd, short events) {
    for (;;) {
        long long left = deadline_ms - now_ms();
        if (left <= 0) {
            timed_out = 1;
            errno = ETIMEDOUT;
            return -1;
        }
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int) left);
        if (r > 0) {
            return 0;
        }
        if (r < 0 && errno != EINTR) {
            return -1;
        }
    }
}

/* Reads n bytes of the daemon's answer before the deadline. */
static int read_full(int fd, unsigned char *p, size_t n) {
    while (n > 0) {
        if (await_socket(fd, POLLIN) != 0) {
            return -1;
        }
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        p += r;
        n -= (size_t) r;
    }
    return 0;
}

/* send(MSG_NOSIGNAL) on the socket: a daemon that died must not kill the shim with SIGPIPE */
static int write_full(int fd, const unsigned char *p, size_t n, int is_socket) {
    while (n > 0) {
        if (is_socket && await_socket(fd, POLLOUT) != 0) {
            return -1;
        }
        ssize_t w = is_socket ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0) {
            return -1;
        }
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

int main(int argc, char **argv) {
    (void) argc;
    args = argv;
    const char *command = getenv("CNI_COMMAND");
    if (command != NULL && strcmp(command, "VERSION") == 0) {
        fputs(JNET_VERSIONS "\n", stdout);
        return 0;
    }
    const char *mode = getenv("JNET_SHIM");
    int strict = mode != NULL && strcmp(mode, "daemon") == 0;
    if (mode != NULL && strcmp(mode, "direct") == 0) {
        direct(NULL);
    }
    const char *path = getenv("JNET_SOCKET");
    if (path == NULL || *path == '\0') {
        path = DEFAULT_SOCKET;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "jnet-%s: JNET_SOCKET is too long\n", JNET_TYPE);
        direct(NULL);
    }
    strcpy(addr.sun_path, path);
    timeout_ms = shim_timeout();
    deadline_ms = now_ms() + timeout_ms;
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    /* a daemon whose backlog is full makes connect(2) wait: at most until the deadline (SO_SNDTIMEO) */
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    if (sock >= 0) {
        setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    int connected = sock >= 0 ? connect(sock, (struct sockaddr *) &addr, sizeof addr) : -1;
    if (connected != 0 && (errno == EAGAIN || errno == EINPROGRESS)) {
        timed_out = 1;
        struct buf none = {0};
        if (command == NULL || strcmp(command, "DEL") != 0 || strict) {
            try_again_later(&none, "connecting to the daemon timed out");
        }
        direct(NULL);
    }
    if (connected != 0) {
        if (strict) {
            struct buf none = {0};
            try_again_later(&none, "no daemon listens (JNET_SHIM=daemon)");
        }
        direct(NULL);    /* nothing listens: stdin is untouched */
    }

    struct buf in = {0};
    unsigned char chunk[65536];
    for (;;) {
        ssize_t r = read(0, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        put(&in, chunk, (size_t) r);
        if (in.len > MAX_STDIN) {   /* the JVM tells the caller it is too big, with the same words as always */
            close(sock);
            direct(&in);
        }
    }

    struct buf payload = {0};
    unsigned char op = 1;
    put(&payload, &op, 1);
    put_u16(&payload, strlen(JNET_TYPE));
    put(&payload, JNET_TYPE, strlen(JNET_TYPE));
    uint32_t count = 0;
    for (char **e = environ; *e != NULL; e++) {
        if (strncmp(*e, "CNI_", 4) == 0 || strncmp(*e, "JNET_", 5) == 0) {
            count++;
        }
    }
    put_u32(&payload, count);
    for (char **e = environ; *e != NULL; e++) {
        if (strncmp(*e, "CNI_", 4) == 0 || strncmp(*e, "JNET_", 5) == 0) {
            put_u32(&payload, strlen(*e));
            put(&payload, *e, strlen(*e));
        }
    }
    put_u32(&payload, in.len);
    put(&payload, in.data, in.len);

    struct buf frame = {0};
    put(&frame, "JNET", 4);
    put_u16(&frame, PROTOCOL);
    put_u32(&frame, payload.len);
    put(&frame, payload.data, payload.len);

    int is_del = command != NULL && strcmp(command, "DEL") == 0;
    unsigned char head[11];
    if (write_full(sock, frame.data, frame.len, 1) != 0 || read_full(sock, head, sizeof head) != 0) {
        close(sock);
        if (is_del && !strict) {
            direct(&in);
        }
        try_again_later(&in, "the connection closed before the daemon answered");
    }
    if (memcmp(head, "JNET", 4) != 0 || (head[4] << 8 | head[5]) != PROTOCOL || head[6] == KIND_DIRECT) {
        close(sock);    /* another protocol version, or another namespace: the daemon did nothing */
        if (strict) {
            try_again_later(&in, "the daemon asked for direct mode (JNET_SHIM=daemon)");
        }
        direct(&in);
    }
    uint32_t length = get_u32(head + 7);
    unsigned char *body = head[6] == KIND_RESULT && length >= 12 ? malloc(length) : NULL;
    if (body == NULL || read_full(sock, body, length) != 0) {
        close(sock);
        if (is_del && !strict) {
            direct(&in);
        }
        try_again_later(&in, "the daemon's answer was cut short");
    }
    uint32_t code = get_u32(body), out_len = get_u32(body + 4);
    if (out_len > length - 12 || get_u32(body + 8 + out_len) != length - 12 - out_len) {
        try_again_later(&in, "the daemon's answer is malformed");
    }
    uint32_t err_len = length - 12 - out_len;
    if (write_full(1, body + 8, out_len, 0) != 0 || write_full(2, body + 12 + out_len, err_len, 0) != 0) {
        return 1;
    }
    return (int) code;
}
