/* transport: the three MI listeners (http.c, fifo.c, datagram.c), each run by its own thread. */
#ifndef SIM_TRANSPORT_H
#define SIM_TRANSPORT_H

#include <stddef.h>

/* Start the mi_http listener on "ADDR:PORT" (POST /mi). 0 on success, -1 with a message. */
int http_start(const char *addrport);
/* Start mi_fifo on path (created, removed by fifo_stop); replies go to reply_dir + name. */
int fifo_start(const char *path, const char *reply_dir);
void fifo_stop(void);
/* Start mi_datagram on "udp:ADDR:PORT" or "unix:PATH". */
int datagram_start(const char *spec);
void datagram_stop(void);

/* Shared by the transports: fill out with n bytes of the "garbage" fault (not JSON). */
void transport_garbage(char *out, size_t n);
/* Write all of p to fd (blocking); -1 on error. */
int transport_write_all(int fd, const void *p, size_t n);
/* Split "ADDR:PORT" into a socket address; -1 when malformed. */
struct sockaddr_storage;
int transport_parse_inet(const char *addrport, struct sockaddr_storage *ss, unsigned *sslen);

#endif
