/* test_db_connect: the drivers' connect against a listener that never answers (no server
 * needed): the connect time-out and the calling thread's cancellation both stop it, for
 * PostgreSQL and MySQL alike. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cancel.h"
#include "check.h"
#include "db/db.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A TCP listener on 127.0.0.1 that never accepts: connects complete, no greeting ever comes. */
static int mute_listener(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static struct cancel token;
static void *fire_later(void *arg)
{
    (void)arg;
    usleep(200 * 1000);
    cancel_fire(&token);
    return NULL;
}

static void one(const char *scheme, int port)
{
    char url[128];
    struct db_open_opts o = {.connect_timeout_ms = 300, .statement_timeout_ms = 1000};
    struct db_driver d;
    struct tool_error e;
    long long t;
    pthread_t th;

    snprintf(url, sizeof(url), "%s://u:s3cret@127.0.0.1:%d/d", scheme, port);
    t = now_ms();
    CHECK(db_open(url, &o, &d, &e) == TOOL_E_TIMEOUT);
    CHECK_STR(e.name, "db_timeout");
    CHECK(!strstr(e.text, "s3cret"));
    CHECK(now_ms() - t < 5000); /* upper bound against a hang only */
    printf("  %s: connect time-out after %lld ms: %s\n", scheme, now_ms() - t, e.text);

    o.connect_timeout_ms = 30000;
    cancel_init(&token);
    cancel_bind(&token);
    pthread_create(&th, NULL, fire_later, NULL);
    t = now_ms();
    CHECK(db_open(url, &o, &d, &e) == TOOL_E_CANCELLED);
    CHECK_STR(e.name, "db_cancelled");
    CHECK(now_ms() - t < 10000);
    printf("  %s: connect cancelled after %lld ms: %s\n", scheme, now_ms() - t, e.text);
    pthread_join(th, NULL);
    cancel_bind(NULL);
    cancel_release(&token);
}

int main(void)
{
    int port, fd = mute_listener(&port);

    CHECK(fd >= 0);
    if (fd < 0)
        return check_done("db_connect");
    one("postgres", port);
    one("mysql", port);
    db_thread_close();
    close(fd);
    return check_done("db_connect");
}
