/* Unit tests for proc_net: fd link names, the sock_diag parser on datagrams captured from real
 * sockets (tests/fixtures/sockdiag/NOTES.txt), malformed and truncated input, and the tracker
 * on this process's own sockets on 127.0.0.1 (bytes moved, counts, closes).
 * SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proc_net.h"
#include "proc_res.h"
#include "suites.h"
#include "test.h"

static void test_links(void)
{
    uint64_t ino = 0;

#define LINK(s) proc_net_fd_link_parse(s, sizeof(s) - 1, &ino)
    TEST_EQ_INT(LINK("socket:[420916]"), 1);
    TEST_EQ_INT(ino, 420916);
    TEST_EQ_INT(LINK("socket:[18446744073709551615]"), 1);
    TEST_CHECK(ino == UINT64_MAX);
    TEST_EQ_INT(LINK("pipe:[1234]"), 0);
    TEST_EQ_INT(LINK("/dev/null"), 0);
    TEST_EQ_INT(LINK("anon_inode:[eventfd]"), 0);
    TEST_EQ_INT(LINK("/tmp/socket:[1] (deleted)"), 0);
    TEST_EQ_INT(LINK("socket:[]"), -EINVAL);
    TEST_EQ_INT(LINK("socket:[12"), -EINVAL);
    TEST_EQ_INT(LINK("socket:[12]x"), -EINVAL);
    TEST_EQ_INT(LINK("socket:[1a]"), -EINVAL);
    TEST_EQ_INT(LINK("socket:[18446744073709551616]"), -EINVAL);
#undef LINK
}

/* Parse a fixture whole; returns the record count (or -1). */
static int parse_fixture(const char *path, int proto, struct proc_net_sock *s, size_t max,
                         int *done)
{
    size_t len, n = 0, used = 0;
    char *buf = test_read_fixture(path, &len);
    int rc;

    if (!buf)
        return -1;
    *done = 0;
    rc = proc_net_parse(buf, len, proto, s, max, &n, &used, done);
    TEST_EQ_INT(rc, 0);
    TEST_EQ_INT(used, len);
    free(buf);
    return rc == 0 ? (int)n : -1;
}

static void test_fixtures(void)
{
    struct proc_net_sock s[8];
    int done;

    TEST_EQ_INT(parse_fixture("fixtures/sockdiag/tcp4.bin", IPPROTO_TCP, s, 8, &done), 3);
    TEST_EQ_INT(done, 1);
    TEST_EQ_INT(s[0].state, PROC_NET_LISTEN);
    TEST_EQ_INT(s[0].kind, PROC_NET_TCP);
    TEST_EQ_INT(s[0].rx_bytes + s[0].tx_bytes, 0);
    TEST_EQ_INT(s[1].inode, 420916);
    TEST_EQ_INT(s[1].cookie, 15);
    TEST_EQ_INT(s[1].family, AF_INET);
    TEST_EQ_INT(s[1].has_info, 1);
    TEST_EQ_INT(s[1].rx_bytes, 54321);
    TEST_EQ_INT(s[1].tx_bytes, 100001); /* the SYN counts */
    TEST_EQ_INT(s[2].cookie, 19);
    TEST_EQ_INT(s[2].rx_bytes, 100000);
    TEST_EQ_INT(s[2].tx_bytes, 54321);

    TEST_EQ_INT(parse_fixture("fixtures/sockdiag/udp4.bin", IPPROTO_UDP, s, 8, &done), 2);
    TEST_EQ_INT(s[0].kind, PROC_NET_UDP);
    TEST_EQ_INT(s[1].rqueue, 832);
    TEST_EQ_INT(s[1].has_info + s[1].rx_bytes, 0);

    TEST_EQ_INT(parse_fixture("fixtures/sockdiag/unix.bin", 0, s, 8, &done), 2);
    TEST_EQ_INT(s[0].kind, PROC_NET_UNIX);
    TEST_EQ_INT(s[0].family, AF_UNIX);
    TEST_EQ_INT(s[1].rqueue, 10);
    TEST_EQ_INT(s[0].wqueue, 768);
    TEST_EQ_INT(s[1].inode, 420924);

    /* A destroy message: no inode, the protocol attribute decides (the hint says UDP). */
    TEST_EQ_INT(
        parse_fixture("fixtures/sockdiag/tcp_destroy_derived.bin", IPPROTO_UDP, s, 8, &done), 1);
    TEST_EQ_INT(done, 0);
    TEST_EQ_INT(s[0].kind, PROC_NET_TCP);
    TEST_EQ_INT(s[0].inode, 0);
    TEST_EQ_INT(s[0].cookie, 15);
    TEST_EQ_INT(s[0].rx_bytes, 55321);
}

/* Batches: max records at a time, resumed at buf + used. */
static void test_batches(void)
{
    struct proc_net_sock s[2];
    size_t len, n, used, off = 0, total = 0;
    char *buf = test_read_fixture("fixtures/sockdiag/tcp4.bin", &len);
    int done = 0, rounds = 0;

    if (!buf)
        return;
    while (off < len && !done && rounds++ < 10) {
        TEST_EQ_INT(proc_net_parse(buf + off, len - off, IPPROTO_TCP, s, 1, &n, &used, &done), 0);
        total += n;
        off += used;
        if (used == 0)
            break;
    }
    TEST_EQ_INT(total, 3);
    TEST_EQ_INT(done, 1);
    free(buf);
}

/* Every truncation of a real datagram is refused or parsed partially, never read past. */
static void test_malformed(void)
{
    struct proc_net_sock s[8];
    size_t len, n, used;
    char *buf = test_read_fixture("fixtures/sockdiag/tcp4.bin", &len), *cut;
    int done, bad = 0;

    if (!buf)
        return;
    for (size_t l = 0; l < len; l++) {
        cut = malloc(l ? l : 1);
        memcpy(cut, buf, l);
        done = 0;
        int rc = proc_net_parse(cut, l, IPPROTO_TCP, s, 8, &n, &used, &done);
        if ((rc != 0 && rc != -EINVAL) || n > 3 || used > l || done)
            bad++;
        free(cut);
    }
    TEST_EQ_INT(bad, 0);
    /* An attribute longer than its message. */
    buf[16 + 72 + 0] = (char)0xff;
    buf[16 + 72 + 1] = (char)0x0f;
    TEST_EQ_INT(proc_net_parse(buf, len, IPPROTO_TCP, s, 8, &n, &used, &done), -EINVAL);
    /* An unknown family. */
    buf[16] = 77;
    TEST_EQ_INT(proc_net_parse(buf, len, IPPROTO_TCP, s, 8, &n, &used, &done), -EINVAL);
    free(buf);
}

static int64_t mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Send n bytes from a to b and read them. */
static void move(int a, int b, size_t n)
{
    static char data[8192];
    size_t sent = 0, got = 0;

    while (got < n) {
        if (sent < n) {
            ssize_t k =
                send(a, data, n - sent < sizeof(data) ? n - sent : sizeof(data), MSG_DONTWAIT);
            sent += k > 0 ? (size_t)k : 0;
        }
        ssize_t k = recv(b, data, sizeof(data), MSG_DONTWAIT);
        got += k > 0 ? (size_t)k : 0;
    }
}

/* The tracker on our own sockets: a TCP pair, a UDP socket and a Unix pair. */
static void test_live(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    int lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
        dir = proc_res_open(getpid(), 0, "fd");
    int cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), srv = -1, udp = -1, sp[2] = {-1, -1};
    const struct proc_net_owner *o;
    struct proc_net *pn = NULL;
    uint64_t rx0;

    TEST_EQ_INT(proc_net_open(4, &pn), 0);
    if (!pn || dir < 0 || lst < 0 || cli < 0)
        goto out;
    bind(lst, (struct sockaddr *)&a, sizeof(a));
    listen(lst, 4);
    getsockname(lst, (struct sockaddr *)&a, &alen);
    TEST_EQ_INT(connect(cli, (struct sockaddr *)&a, sizeof(a)), 0);
    srv = accept(lst, NULL, NULL);
    move(cli, srv, 300000); /* before the tracker knows the sockets: counted from zero */
    TEST_CHECK(proc_net_scan_fds(pn, dir, 2) >= 3);
    TEST_EQ_INT(proc_net_update(pn, mono(), 0), 0);
    o = proc_net_owner(pn, 2);
    TEST_EQ_INT(o->tcp, 3);
    TEST_CHECK(o->rx_bytes == 300000 && o->tx_bytes >= 300000 && o->tx_bytes <= 300001);
    TEST_EQ_INT(proc_net_owner(pn, 1)->rx_bytes, 0);
    move(srv, cli, 70000);
    usleep(20000); /* acknowledgements */
    TEST_EQ_INT(proc_net_update(pn, mono(), 0), 0);
    TEST_EQ_INT(o->rx_bytes, 370000);
    rx0 = o->rx_bytes;
    /* A baseline socket counts from its current bytes. */
    udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    a.sin_port = 0; /* an unbound UDP socket is in no table the kernel dumps */
    bind(udp, (struct sockaddr *)&a, sizeof(a));
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp);
    TEST_EQ_INT(write(sp[0], "hello", 5), 5);
    TEST_CHECK(proc_net_scan_fds(pn, dir, 2) >= 6);
    TEST_EQ_INT(proc_net_update(pn, mono(), 1), 0);
    TEST_EQ_INT(o->udp, 1);
    TEST_EQ_INT(o->unix_socks, 2);
    TEST_CHECK(o->queued >= 5);
    /* Closing: the bytes already counted stay with the owner. */
    close(cli);
    close(srv);
    cli = srv = -1;
    TEST_EQ_INT(proc_net_scan_fds(pn, dir, 2) >= 4, 1);
    TEST_EQ_INT(proc_net_update(pn, mono(), 1), 0);
    TEST_CHECK(o->rx_bytes >= rx0);
    TEST_EQ_INT(o->tcp, 1); /* the listener */
    proc_net_drop_owner(pn, 2);
    TEST_EQ_INT(proc_net_update(pn, mono(), 1), 0);
    TEST_EQ_INT(o->unix_socks + o->udp, 0);
    TEST_CHECK(o->rx_bytes >= rx0);
out:
    proc_net_free(pn);
    {
        int fds[] = {lst, cli, srv, udp, sp[0], sp[1], dir};

        for (size_t k = 0; k < sizeof(fds) / sizeof(fds[0]); k++) {
            if (fds[k] >= 0)
                close(fds[k]);
        }
    }
}

/* A destroy message for a socket of ours: the captured (derived) one, given the cookie of a
 * live connection and more bytes than the last round saw; the difference reaches the owner. */
static void test_destroy(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a), clen = sizeof(uint64_t);
    int lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
        dir = proc_res_open(getpid(), 0, "fd");
    int cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), srv = -1;
    struct proc_net_stats st;
    struct proc_net *pn = NULL;
    uint64_t cookie = 0, rx;
    size_t len;
    char *msg = test_read_fixture("fixtures/sockdiag/tcp_destroy_derived.bin", &len);
    size_t at_cookie = NLMSG_HDRLEN + offsetof(struct inet_diag_msg, id.idiag_cookie), at_rx = 0;

    TEST_EQ_INT(proc_net_open(2, &pn), 0);
    if (!msg || !pn || lst < 0 || cli < 0 || dir < 0)
        goto out;
    /* The tcp_info attribute, among the message's attributes. */
    for (size_t off = NLMSG_HDRLEN + sizeof(struct inet_diag_msg); off + 4 <= len;) {
        uint16_t rlen, type;

        memcpy(&rlen, msg + off, 2);
        memcpy(&type, msg + off + 2, 2);
        if (type == INET_DIAG_INFO)
            at_rx = off + 4 + offsetof(struct tcp_info, tcpi_bytes_received);
        if (rlen < 4)
            break;
        off += (rlen + 3u) & ~3u;
    }
    TEST_CHECK(at_rx > 0 && at_rx + 8 <= len);
    if (at_rx == 0 || at_rx + 8 > len)
        goto out;
    bind(lst, (struct sockaddr *)&a, sizeof(a));
    listen(lst, 1);
    getsockname(lst, (struct sockaddr *)&a, &alen);
    connect(cli, (struct sockaddr *)&a, sizeof(a));
    srv = accept(lst, NULL, NULL);
    move(srv, cli, 40000);
    TEST_EQ_INT(getsockopt(cli, SOL_SOCKET, SO_COOKIE, &cookie, &clen), 0);
    proc_net_scan_fds(pn, dir, 1);
    TEST_EQ_INT(proc_net_update(pn, mono(), 0), 0);
    rx = proc_net_owner(pn, 1)->rx_bytes;
    TEST_EQ_INT(rx, 40000);
    /* The fixture's tcp_info says 55321 received: patch in our cookie. */
    memcpy(&rx, msg + at_rx, sizeof(rx));
    TEST_EQ_INT(rx, 55321);
    memcpy(msg + at_cookie, &cookie, sizeof(cookie));
    TEST_EQ_INT(proc_net_destroyed(pn, msg, len), 1);
    TEST_EQ_INT(proc_net_owner(pn, 1)->rx_bytes, 55321);
    TEST_EQ_INT(proc_net_destroyed(pn, msg, len), 0); /* forgotten: not counted twice */
    proc_net_get_stats(pn, &st);
    TEST_EQ_INT(st.destroyed, 1);
out:
    free(msg);
    proc_net_free(pn);
    {
        int fds[] = {lst, cli, srv, dir};

        for (size_t k = 0; k < sizeof(fds) / sizeof(fds[0]); k++) {
            if (fds[k] >= 0)
                close(fds[k]);
        }
    }
}

void test_proc_net(void)
{
    test_links();
    test_fixtures();
    test_batches();
    test_malformed();
    test_live();
    test_destroy();
}
