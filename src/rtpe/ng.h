/* rtpe/ng: RTPEngine's ng control protocol over UDP, for what OpenSIPS's MI cannot tell or do
 * about one call's media: whether RTPEngine still holds it (query) and dropping it (delete). A
 * message is a cookie, one space and a bencoded dictionary; the answer repeats the cookie and
 * carries "result" ("ok", "error", ...) and, on error, "error-reason". */
#ifndef RTPE_NG_H
#define RTPE_NG_H

#include <stddef.h>

enum ng_status {
    NG_OK,      /* RTPEngine answered result "ok" */
    NG_NO_CALL, /* it answered an error that it has no such call ("Unknown call-id") */
    NG_REFUSED, /* it answered another error; why holds its error-reason */
    NG_FAILED,  /* no answer: bad address, time-out, cancelled, not an ng answer; why says */
};

/* Send `command` ("query", "delete": at once, with delete-delay 0) for `callid` to the ng socket at `url` as OpenSIPS's
 * rtpengine module names it ("udp:127.0.0.1:2223", "udp6:[::1]:2223"), and wait at most
 * timeout_ms (the calling thread's cancel, cancel.h, also ends the wait). why (size n) gets a sentence
 * on anything but NG_OK. Thread-safe. */
enum ng_status ng_call(const char *url, const char *command, const char *callid,
                       unsigned timeout_ms, char *why, size_t n);

/* The answer `buf` (len bytes, from the network: not NUL-terminated) to the message with
 * `cookie`: NG_OK, NG_NO_CALL or NG_REFUSED (error-reason in why), or NG_FAILED when it is not an
 * ng answer to that cookie. For ng_call and the fuzz target. */
enum ng_status ng_reply_parse(const char *buf, size_t len, const char *cookie, char *why,
                              size_t n);

#endif
