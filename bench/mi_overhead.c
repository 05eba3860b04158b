/* mi_overhead: the MI client's cost per call over a bare transport exchange, per transport,
 * against opensips-mi-sim. For each transport it times N interleaved rounds of
 *   bare: the transport vtable alone with a prebuilt request (framing, socket/FIFO/curl),
 *   raw:  mi_client_call_raw (+ JSON-RPC build and reply parse),
 *   call: mi_client_call (+ catalogue lookup, naming, recipe check, retry policy),
 * and prints the medians in microseconds. usage: mi_overhead HTTP_URL FIFO_ADDR REPLY_DIR UDP UNIX [N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mi/client.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: mi_overhead HTTP_URL FIFO_ADDR REPLY_DIR UDP_ADDR UNIX_ADDR [N]\n");
        return 2;
    }
    int n = argc > 6 ? atoi(argv[6]) : 500;
    if (n < 1 || n > 100000)
        n = 500;
    mi_transport_global_init();
    struct mi_config cfg;
    struct mi_error e;
    mi_config_init(&cfg);
    const char *names[] = {"http", "fifo", "udp", "unix"};
    mi_config_set_node(&cfg, "http", argv[1], NULL, "bench", &e);
    mi_config_set_node(&cfg, "fifo", argv[2], argv[3], "bench", &e);
    mi_config_set_node(&cfg, "udp", argv[4], NULL, "bench", &e);
    mi_config_set_node(&cfg, "unix", argv[5], NULL, "bench", &e);
    struct mi_client *c = mi_client_new(&cfg, &e);
    if (!c) {
        fprintf(stderr, "mi_overhead: %s\n", e.text);
        return 1;
    }
    double *bare = calloc((size_t)n, sizeof(double)), *rawv = calloc((size_t)n, sizeof(double)),
           *callv = calloc((size_t)n, sizeof(double));
    const char *req = "{\"jsonrpc\":\"2.0\",\"method\":\"core:uptime\",\"id\":1}";
    printf("MI client overhead per call (core:uptime), median of %d interleaved runs, us\n", n);
    printf("  %-5s %9s %9s %9s %10s\n", "", "bare", "raw", "call", "overhead");
    for (int t = 0; t < 4; t++) {
        json_t *r = NULL;
        if (mi_client_call(c, names[t], "core:uptime", NULL, 0, &r, &e) != MI_OK) {
            fprintf(stderr, "mi_overhead: %s: %s\n", names[t], e.text);
            return 1;
        }
        json_decref(r);
        struct mi_addr a;
        mi_addr_parse(cfg.nodes[t].address, cfg.nodes[t].fifo_reply_dir, &a, &e);
        const struct mi_transport *tp = mi_transport_for(a.kind);
        for (int i = 0; i < n; i++) {
            struct mi_buf b;
            mi_buf_init(&b, 1 << 20);
            double t0 = now_us();
            tp->call(&a, req, strlen(req), mi_deadline_after(2000), MI_CALL_REUSE, &b, &e);
            double t1 = now_us();
            mi_buf_release(&b);
            mi_client_call_raw(c, names[t], "core:uptime", NULL, 0, &r, &e);
            double t2 = now_us();
            json_decref(r);
            mi_client_call(c, names[t], "core:uptime", NULL, 0, &r, &e);
            double t3 = now_us();
            json_decref(r);
            bare[i] = t1 - t0;
            rawv[i] = t2 - t1;
            callv[i] = t3 - t2;
        }
        double mb = median(bare, n), mr = median(rawv, n), mc = median(callv, n);
        printf("  %-5s %9.1f %9.1f %9.1f %+9.1f\n", names[t], mb, mr, mc, mc - mb);
    }
    free(bare);
    free(rawv);
    free(callv);
    mi_client_free(c);
    return 0;
}
