/* Unit tests for rtpe/ng: the answers RTPEngine gives (ok, an unknown call, another error), what
 * a broken or hostile peer can send (not bencode, another cookie, nesting, lengths past the end),
 * and one exchange on a loopback socket: the request's exact bytes (cookie, sorted keys, a delete
 * at once), a stray answer ignored, an answer that never comes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "rtpe/ng.h"

static enum ng_status parse(const char *s, char *why, size_t n)
{
    size_t len = strlen(s);
    char *copy = malloc(len ? len : 1); /* no NUL after the bytes */
    memcpy(copy, s, len);
    enum ng_status st = ng_reply_parse(copy, len, "c1", why, n);
    free(copy);
    return st;
}

struct peer {
    int fd;
    char got[1024];
    int mode; /* 0: answer ok; 1: a stray answer, then unknown call-id; 2: never answer */
};

static void *peer_main(void *arg)
{
    struct peer *p = arg;
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(p->fd, p->got, sizeof p->got - 1, 0, (struct sockaddr *)&from, &fl);
    if (n <= 0)
        return NULL;
    p->got[n] = '\0';
    char cookie[64] = "", reply[256];
    sscanf(p->got, "%63s", cookie);
    if (p->mode == 2)
        return NULL;
    if (p->mode == 1) {
        const char *stray = "someoneelse d6:result2:oke";
        sendto(p->fd, stray, strlen(stray), 0, (struct sockaddr *)&from, fl);
        snprintf(reply, sizeof reply, "%s d12:error-reason15:Unknown call-id6:result5:errore",
                 cookie);
    } else {
        snprintf(reply, sizeof reply, "%s d6:result2:oke", cookie);
    }
    sendto(p->fd, reply, strlen(reply), 0, (struct sockaddr *)&from, fl);
    return NULL;
}

/* One exchange with a peer in `mode`; the URL it listens on in url. */
static enum ng_status exchange(int mode, const char *command, char *got, size_t gn, char *why,
                               size_t wn)
{
    struct peer p = {.mode = mode};
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    pthread_t t;
    char url[64];

    p.fd = socket(AF_INET, SOCK_DGRAM, 0);
    bind(p.fd, (struct sockaddr *)&a, sizeof a);
    getsockname(p.fd, (struct sockaddr *)&a, &al);
    snprintf(url, sizeof url, "udp:127.0.0.1:%d", ntohs(a.sin_port));
    pthread_create(&t, NULL, peer_main, &p);
    enum ng_status st = ng_call(url, command, "call-1@host", 500, why, wn);
    if (mode == 2)
        shutdown(p.fd, SHUT_RDWR);
    pthread_join(t, NULL);
    close(p.fd);
    snprintf(got, gn, "%s", p.got);
    return st;
}

int main(void)
{
    char why[256], got[1024];

    CHECK(parse("c1 d6:result2:oke", why, sizeof why) == NG_OK);
    CHECK(parse("c1 d12:error-reason15:Unknown call-id6:result5:errore", why, sizeof why) ==
          NG_NO_CALL);
    CHECK_CONTAINS(why, "RTPEngine answered error: Unknown call-id");
    CHECK(parse("c1 d6:result5:error12:error-reason11:Bad commande", why, sizeof why) ==
          NG_REFUSED);
    CHECK_CONTAINS(why, "Bad command");
    /* other members of any shape are stepped over */
    CHECK(parse("c1 d6:totalsd3:RTPd7:packetsi-12eee4:tagsl1:a1:be6:result2:oke", why,
                sizeof why) == NG_OK);
    CHECK(parse("c2 d6:result2:oke", why, sizeof why) == NG_FAILED);
    CHECK_CONTAINS(why, "another cookie");
    CHECK(parse("c1", why, sizeof why) == NG_FAILED);
    CHECK(parse("c1 l6:result2:oke", why, sizeof why) == NG_FAILED);
    CHECK(parse("c1 d6:result2:ok", why, sizeof why) == NG_FAILED);         /* no end */
    CHECK(parse("c1 d6:result99:oke", why, sizeof why) == NG_FAILED);       /* length past the end */
    CHECK(parse("c1 d6:result9999999999:oke", why, sizeof why) == NG_FAILED); /* 10 digits */
    CHECK(parse("c1 d1:xi12x6:result2:oke", why, sizeof why) == NG_FAILED);
    CHECK(parse("c1 d3:fooe", why, sizeof why) == NG_FAILED);
    CHECK_CONTAINS(why, "not valid bencode");
    CHECK(parse("c1 de", why, sizeof why) == NG_FAILED);
    CHECK_CONTAINS(why, "no result");
    {
        char deep[256] = "c1 d1:x";
        for (int i = 0; i < 40; i++)
            strcat(deep, "l");
        for (int i = 0; i < 40; i++)
            strcat(deep, "e");
        strcat(deep, "6:result2:oke");
        CHECK(parse(deep, why, sizeof why) == NG_FAILED); /* nests past the bound */
    }
    CHECK(parse("c1 d12:error-reason3:\x01\xff\n6:result5:errore", why, sizeof why) == NG_REFUSED);
    CHECK_CONTAINS(why, "error: ...");

    /* the wire: cookie, one space, keys in order, delete-delay 0 on a delete */
    CHECK(exchange(0, "delete", got, sizeof got, why, sizeof why) == NG_OK);
    CHECK_CONTAINS(got, " d7:call-id11:call-1@host7:command6:delete12:delete-delayi0ee");
    CHECK(exchange(0, "query", got, sizeof got, why, sizeof why) == NG_OK);
    CHECK_CONTAINS(got, " d7:call-id11:call-1@host7:command5:querye");
    CHECK(strchr(got, ' ') - got == 16); /* 8 random bytes as hex */
    /* a stray answer to another cookie is passed over */
    CHECK(exchange(1, "query", got, sizeof got, why, sizeof why) == NG_NO_CALL);
    CHECK(exchange(2, "query", got, sizeof got, why, sizeof why) == NG_FAILED);
    CHECK_CONTAINS(why, "no answer from RTPEngine at udp:127.0.0.1:");
    /* nothing listening: the refusal comes back at once */
    CHECK(ng_call("udp:127.0.0.1:1", "query", "x", 2000, why, sizeof why) == NG_FAILED);
    CHECK_CONTAINS(why, "Connection refused");
    CHECK(ng_call("tcp:127.0.0.1:1", "query", "x", 100, why, sizeof why) == NG_FAILED);
    CHECK_CONTAINS(why, "not an ng address");
    CHECK(ng_call("udp:127.0.0.1:", "query", "x", 100, why, sizeof why) == NG_FAILED);
    CHECK(ng_call("udp6:[::1]:x", "query", "x", 100, why, sizeof why) == NG_FAILED);
    return check_done("test_ng");
}
