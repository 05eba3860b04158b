/* transport: helpers the three MI listeners share. */
#include "transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void transport_garbage(char *out, size_t n)
{
    static const char pat[] = "\x01<html>garbage\xff\xfe not json ]]}}{{";
    for (size_t i = 0; i < n; i++)
        out[i] = pat[i % (sizeof pat - 1)];
}

int transport_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int transport_parse_inet(const char *addrport, struct sockaddr_storage *ss, unsigned *sslen)
{
    const char *colon = strrchr(addrport, ':');
    if (!colon || colon == addrport)
        return -1;
    char host[256];
    size_t hl = (size_t)(colon - addrport);
    if (hl >= sizeof host)
        return -1;
    memcpy(host, addrport, hl);
    host[hl] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || port > 65535)
        return -1;
    memset(ss, 0, sizeof *ss);
    char *h = host;
    if (h[0] == '[' && hl > 2 && h[hl - 1] == ']') {
        h[hl - 1] = '\0';
        h++;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, h, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((unsigned short)port);
        *sslen = sizeof *s4;
        return 0;
    }
    if (inet_pton(AF_INET6, h, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((unsigned short)port);
        *sslen = sizeof *s6;
        return 0;
    }
    return -1;
}
