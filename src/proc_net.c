/* Sockets of processes through sock_diag: the pure message parser, the fd-link scan, and the
 * tracker that maps sockets to owners (an inode table filled from fd scans, a TCP table keyed
 * by socket cookie) and keeps per-owner byte totals across closes. Formats: docs/linux.md §11:
 * linux/inet_diag.h (inet_diag_msg, INET_DIAG_INFO = struct tcp_info, INET_DIAG_PROTOCOL),
 * linux/unix_diag.h (unix_diag_msg, UNIX_DIAG_RQLEN); destroy messages carry no inode.
 * SPDX-License-Identifier: MIT */
#include "proc_net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util_xalloc.h"

#define RECV_BUF   32768     /* one recv of a dump: about 100 TCP records */
#define BATCH      128       /* records parsed from one datagram at a time */
#define DESTROY_RB (1 << 20) /* receive buffer of the destroy listener */
#define KEEP_NS                                                            \
    2000000000LL /* how long a TCP socket missing from dumps waits for its \
                    destroy message before its last bytes are given up */
#define INFO_END  (offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(uint64_t))
#define MIN_SLOTS 64
#define NO_OWNER  UINT32_MAX
#define TOMB      UINT64_MAX /* key of a deleted slot (inodes and cookies are never all ones) */

/* ---- pure parsing ---- */

int proc_net_fd_link_parse(const char *link, size_t len, uint64_t *inode)
{
    static const char pre[] = "socket:[";
    const size_t plen = sizeof(pre) - 1;
    uint64_t v = 0;
    size_t i;

    if (len < plen || memcmp(link, pre, plen) != 0)
        return 0;
    for (i = plen; i < len && link[i] >= '0' && link[i] <= '9'; i++) {
        if (v > (UINT64_MAX - (uint64_t)(link[i] - '0')) / 10)
            return -EINVAL;
        v = v * 10 + (uint64_t)(link[i] - '0');
    }
    if (i == plen || i + 1 != len || link[i] != ']')
        return -EINVAL;
    *inode = v;
    return 1;
}

/* Attributes (struct rtattr / nlattr: length, type, 4-byte aligned) of one message. */
struct span {
    const unsigned char *p;
    size_t len;
};

static int next_attr(struct span *s, uint16_t *type, struct span *val)
{
    uint16_t alen;
    size_t step;

    if (s->len == 0)
        return 0;
    if (s->len < 4)
        return -EINVAL;
    memcpy(&alen, s->p, 2);
    memcpy(type, s->p + 2, 2);
    *type &= NLA_TYPE_MASK;
    if (alen < 4 || alen > s->len)
        return -EINVAL;
    val->p = s->p + 4;
    val->len = alen - 4u;
    step = NLA_ALIGN((size_t)alen);
    if (step > s->len)
        step = s->len;
    s->p += step;
    s->len -= step;
    return 1;
}

static int parse_inet(struct span m, int proto_hint, struct proc_net_sock *s)
{
    struct inet_diag_msg d;
    struct span attrs, val;
    uint16_t type;
    int rc, proto = proto_hint;

    if (m.len < sizeof(d))
        return -EINVAL;
    memcpy(&d, m.p, sizeof(d));
    memset(s, 0, sizeof(*s));
    s->family = d.idiag_family;
    s->state = d.idiag_state;
    s->inode = d.idiag_inode;
    s->rqueue = d.idiag_rqueue;
    s->wqueue = d.idiag_wqueue;
    s->cookie = (uint64_t)d.id.idiag_cookie[0] | (uint64_t)d.id.idiag_cookie[1] << 32;
    attrs.p = m.p + NLMSG_ALIGN(sizeof(d));
    attrs.len = m.len > NLMSG_ALIGN(sizeof(d)) ? m.len - NLMSG_ALIGN(sizeof(d)) : 0;
    while ((rc = next_attr(&attrs, &type, &val)) > 0) {
        if (type == INET_DIAG_PROTOCOL && val.len >= 1) {
            proto = val.p[0];
        } else if (type == INET_DIAG_INFO && val.len >= INFO_END) {
            memcpy(&s->tx_bytes, val.p + offsetof(struct tcp_info, tcpi_bytes_acked), 8);
            memcpy(&s->rx_bytes, val.p + offsetof(struct tcp_info, tcpi_bytes_received), 8);
            s->has_info = 1;
        }
    }
    if (rc < 0)
        return rc;
    s->kind = proto == IPPROTO_TCP   ? PROC_NET_TCP
              : proto == IPPROTO_UDP ? PROC_NET_UDP
                                     : PROC_NET_OTHER;
    if (s->kind != PROC_NET_TCP) {
        s->has_info = 0;
        s->rx_bytes = s->tx_bytes = 0;
    }
    return 0;
}

static int parse_unix(struct span m, struct proc_net_sock *s)
{
    struct unix_diag_msg d;
    struct unix_diag_rqlen q;
    struct span attrs, val;
    uint16_t type;
    int rc;

    if (m.len < sizeof(d))
        return -EINVAL;
    memcpy(&d, m.p, sizeof(d));
    memset(s, 0, sizeof(*s));
    s->kind = PROC_NET_UNIX;
    s->family = AF_UNIX;
    s->state = d.udiag_state;
    s->inode = d.udiag_ino;
    s->cookie = (uint64_t)d.udiag_cookie[0] | (uint64_t)d.udiag_cookie[1] << 32;
    attrs.p = m.p + NLMSG_ALIGN(sizeof(d));
    attrs.len = m.len > NLMSG_ALIGN(sizeof(d)) ? m.len - NLMSG_ALIGN(sizeof(d)) : 0;
    while ((rc = next_attr(&attrs, &type, &val)) > 0) {
        if (type == UNIX_DIAG_RQLEN && val.len >= sizeof(q)) {
            memcpy(&q, val.p, sizeof(q));
            s->rqueue = q.udiag_rqueue;
            s->wqueue = q.udiag_wqueue;
        }
    }
    return rc < 0 ? rc : 0;
}

/* One SOCK_DIAG_BY_FAMILY payload. */
static int parse_one(struct span m, int proto_hint, struct proc_net_sock *s)
{
    if (m.len < 1)
        return -EINVAL;
    if (m.p[0] == AF_UNIX)
        return parse_unix(m, s);
    if (m.p[0] == AF_INET || m.p[0] == AF_INET6)
        return parse_inet(m, proto_hint, s);
    return -EINVAL;
}

int proc_net_parse(const void *buf, size_t len, int proto_hint, struct proc_net_sock *out,
                   size_t max, size_t *n, size_t *used, int *done)
{
    const unsigned char *p = buf;
    struct nlmsghdr h;

    *n = 0;
    *used = 0;
    while (len > 0 && *n < max) {
        struct span m;

        if (len < NLMSG_HDRLEN)
            return -EINVAL;
        memcpy(&h, p, sizeof(h));
        if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len)
            return -EINVAL;
        m.p = p + NLMSG_HDRLEN;
        m.len = h.nlmsg_len - NLMSG_HDRLEN;
        if (h.nlmsg_type == NLMSG_DONE) {
            *done = 1;
            *used += len;
            return 0;
        }
        if (h.nlmsg_type == NLMSG_ERROR) {
            struct nlmsgerr e;

            if (m.len < sizeof(e))
                return -EINVAL;
            memcpy(&e, m.p, sizeof(e));
            return e.error < 0 && e.error > -4096 ? e.error : -EPROTO;
        }
        if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            int rc = parse_one(m, proto_hint, &out[*n]);

            if (rc < 0)
                return rc;
            (*n)++;
        }
        if (NLMSG_ALIGN((size_t)h.nlmsg_len) >= len) {
            *used += len;
            break;
        }
        p += NLMSG_ALIGN((size_t)h.nlmsg_len);
        len -= NLMSG_ALIGN((size_t)h.nlmsg_len);
        *used += NLMSG_ALIGN((size_t)h.nlmsg_len);
    }
    return 0;
}

/* ---- open-addressing tables keyed by a 64-bit number (0 = empty, TOMB = deleted) ---- */

/* What is known of a socket inode some owner holds. */
struct held {
    uint32_t owner;
    uint32_t gen; /* the owner's scan generation that last saw it */
    uint8_t kind; /* enum proc_net_kind; PROC_NET_OTHER until classified */
    uint8_t classified;
};

/* A TCP socket of ours, by cookie. */
struct tcp {
    uint64_t inode;
    uint64_t rx, tx;       /* counters at the last reading */
    int64_t missing_since; /* CLOCK_MONOTONIC ns of the first dump without it; 0 when seen */
    uint32_t owner;
    uint32_t queued;
};

struct table {
    uint64_t *keys;
    void *vals;
    size_t vsize; /* bytes per value */
    size_t cap;   /* a power of two */
    size_t used;  /* live + tombstones */
    size_t live;
};

static void table_init(struct table *t, size_t vsize, size_t cap)
{
    t->keys = xcalloc(cap, sizeof(uint64_t));
    t->vals = xcalloc(cap, vsize);
    t->vsize = vsize;
    t->cap = cap;
    t->used = t->live = 0;
}

static void table_destroy(struct table *t)
{
    free(t->keys);
    free(t->vals);
}

static void *table_val(const struct table *t, size_t slot)
{
    return (char *)t->vals + slot * t->vsize;
}

static size_t hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k;
}

/* The slot of key, or SIZE_MAX. */
static size_t table_find(const struct table *t, uint64_t key)
{
    size_t mask = t->cap - 1;

    for (size_t i = hash(key) & mask, k = 0; k < t->cap; i = (i + 1) & mask, k++) {
        if (t->keys[i] == key)
            return i;
        if (t->keys[i] == 0)
            return SIZE_MAX;
    }
    return SIZE_MAX;
}

/* Insert key (not present) and return its zeroed value, or NULL when the table is too full
 * (the next reserve grows it). */
static void *table_add(struct table *t, uint64_t key)
{
    size_t mask = t->cap - 1, i;

    if ((t->used + 1) * 4 > t->cap * 3)
        return NULL;
    for (i = hash(key) & mask; t->keys[i] != 0 && t->keys[i] != TOMB; i = (i + 1) & mask)
        ;
    if (t->keys[i] == 0)
        t->used++;
    t->keys[i] = key;
    t->live++;
    memset(table_val(t, i), 0, t->vsize);
    return table_val(t, i);
}

static void table_del(struct table *t, size_t slot)
{
    t->keys[slot] = TOMB;
    t->live--;
}

/* Rebuild with room for twice the live entries (drops tombstones). */
static void table_grow(struct table *t)
{
    struct table n;
    size_t cap = t->cap;

    while (cap < (t->live + 1) * 4)
        cap *= 2;
    if (cap == t->cap && t->used * 2 < t->cap)
        return;
    table_init(&n, t->vsize, cap);
    for (size_t i = 0; i < t->cap; i++) {
        if (t->keys[i] != 0 && t->keys[i] != TOMB)
            memcpy(table_add(&n, t->keys[i]), table_val(t, i), t->vsize);
    }
    table_destroy(t);
    *t = n;
}

/* ---- the tracker ---- */

struct proc_net {
    int fd;         /* dumps */
    int destroy_fd; /* destroy groups; -1 when not subscribed */
    int baseline;
    uint32_t seq;
    struct table held; /* inode -> struct held */
    struct table tcp;  /* cookie -> struct tcp */
    struct proc_net_owner *own;
    uint32_t *tcp_queued, *slow_queued; /* per owner: queue bytes of the last rounds */
    uint32_t *gen;                      /* per owner: scan generation */
    size_t nown;
    struct proc_net_stats st;
    struct proc_net_sock recs[BATCH];
    _Alignas(8) unsigned char buf[RECV_BUF];
};

static int diag_socket(void)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

    return fd < 0 ? -errno : fd;
}

static void subscribe(struct proc_net *pn)
{
    static const int groups[] = {SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY};
    int fd = diag_socket(), size = DESTROY_RB;

    if (fd < 0)
        return;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i], sizeof(int)) < 0) {
            close(fd);
            return;
        }
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    pn->destroy_fd = fd;
    pn->st.destroy_listening = 1;
}

int proc_net_open(size_t owners, struct proc_net **out)
{
    struct proc_net *pn = xcalloc(1, sizeof(*pn));

    pn->fd = diag_socket();
    if (pn->fd < 0) {
        int err = pn->fd;

        free(pn);
        return err;
    }
    pn->destroy_fd = -1;
    table_init(&pn->held, sizeof(struct held), MIN_SLOTS);
    table_init(&pn->tcp, sizeof(struct tcp), MIN_SLOTS);
    subscribe(pn);
    proc_net_reserve(pn, owners);
    *out = pn;
    return 0;
}

void proc_net_free(struct proc_net *pn)
{
    if (!pn)
        return;
    close(pn->fd);
    if (pn->destroy_fd >= 0)
        close(pn->destroy_fd);
    table_destroy(&pn->held);
    table_destroy(&pn->tcp);
    free(pn->own);
    free(pn->tcp_queued);
    free(pn->slow_queued);
    free(pn->gen);
    free(pn);
}

void proc_net_reserve(struct proc_net *pn, size_t owners)
{
    table_grow(&pn->held);
    table_grow(&pn->tcp);
    if (owners <= pn->nown)
        return;
    pn->own = xreallocarray(pn->own, owners, sizeof(*pn->own));
    pn->tcp_queued = xreallocarray(pn->tcp_queued, owners, sizeof(uint32_t));
    pn->slow_queued = xreallocarray(pn->slow_queued, owners, sizeof(uint32_t));
    pn->gen = xreallocarray(pn->gen, owners, sizeof(uint32_t));
    for (size_t i = pn->nown; i < owners; i++) {
        memset(&pn->own[i], 0, sizeof(pn->own[i]));
        pn->tcp_queued[i] = pn->slow_queued[i] = pn->gen[i] = 0;
    }
    pn->nown = owners;
}

void proc_net_baseline(struct proc_net *pn, int on)
{
    pn->baseline = on;
}

const struct proc_net_owner *proc_net_owner(const struct proc_net *pn, uint32_t owner)
{
    static const struct proc_net_owner none;

    return owner < pn->nown ? &pn->own[owner] : &none;
}

void proc_net_get_stats(const struct proc_net *pn, struct proc_net_stats *out)
{
    *out = pn->st;
    /* Closed sockets still waiting for a destroy message count as lost too. */
    for (size_t i = 0; i < pn->tcp.cap; i++) {
        const struct tcp *t = table_val(&pn->tcp, i);

        if (pn->tcp.keys[i] != 0 && pn->tcp.keys[i] != TOMB && t->missing_since > 0)
            out->lost++;
    }
}

/* Record one socket link of owner (scan generation gen). */
static void hold(struct proc_net *pn, uint64_t inode, uint32_t owner, uint32_t gen)
{
    size_t slot = table_find(&pn->held, inode);
    struct held *h;

    if (slot != SIZE_MAX) {
        h = table_val(&pn->held, slot);
        if (h->owner == owner || h->owner == NO_OWNER) {
            h->owner = owner;
            h->gen = gen;
        }
        return;
    }
    h = table_add(&pn->held, inode);
    if (h) {
        h->owner = owner;
        h->gen = gen;
    }
}

/* Forget the inodes owner did not hold at its scan of generation gen (all when gen is 0). */
static void release_stale(struct proc_net *pn, uint32_t owner, uint32_t gen)
{
    for (size_t i = 0; i < pn->held.cap; i++) {
        struct held *h = table_val(&pn->held, i);

        if (pn->held.keys[i] == 0 || pn->held.keys[i] == TOMB || h->owner != owner)
            continue;
        if (gen == 0 || h->gen != gen)
            table_del(&pn->held, i);
    }
}

/* Visit the entries of an fd directory: each socket link is held by owner. Returns the count
 * of sockets or a negative errno. */
static int scan_dir(struct proc_net *pn, int dirfd, uint32_t owner, uint32_t gen)
{
    char link[64];
    int count = 0;
    long n;

    if (lseek(dirfd, 0, SEEK_SET) < 0)
        return errno == ENOENT ? -ESRCH : -errno;
    while ((n = syscall(SYS_getdents64, dirfd, pn->buf, sizeof(pn->buf))) > 0) {
        for (long off = 0; off < n;) {
            unsigned short reclen;
            const char *name = (const char *)pn->buf + off + 19; /* after ino, off, reclen, type */
            uint64_t inode;
            ssize_t len;

            memcpy(&reclen, pn->buf + off + 16, sizeof(reclen));
            if (reclen == 0)
                return -EIO;
            off += reclen;
            if (name[0] == '.')
                continue;
            len = readlinkat(dirfd, name, link, sizeof(link));
            if (len > 0 && proc_net_fd_link_parse(link, (size_t)len, &inode) == 1) {
                hold(pn, inode, owner, gen);
                count++;
            }
        }
    }
    if (n < 0)
        return errno == ENOENT || errno == ESRCH ? -ESRCH : -errno;
    return count;
}

int proc_net_scan_fds(struct proc_net *pn, int dirfd, uint32_t owner)
{
    int count;

    if (owner >= pn->nown)
        return -ERANGE;
    if (++pn->gen[owner] == 0)
        pn->gen[owner] = 1;
    count = scan_dir(pn, dirfd, owner, pn->gen[owner]);
    pn->st.fd_scans++;
    if (count >= 0)
        release_stale(pn, owner, pn->gen[owner]);
    return count;
}

void proc_net_drop_owner(struct proc_net *pn, uint32_t owner)
{
    release_stale(pn, owner, 0);
}

size_t proc_net_owner_tcp(const struct proc_net *pn, uint32_t owner)
{
    size_t n = 0;

    for (size_t i = 0; pn->tcp.live && i < pn->tcp.cap; i++) {
        const struct tcp *t = table_val(&pn->tcp, i);

        n += pn->tcp.keys[i] != 0 && pn->tcp.keys[i] != TOMB && t->owner == owner;
    }
    return n;
}

void proc_net_retire_owner(struct proc_net *pn, uint32_t owner, uint32_t into)
{
    if (owner >= pn->nown || into >= pn->nown || owner == into)
        return;
    release_stale(pn, owner, 0);
    for (size_t i = 0; pn->tcp.live && i < pn->tcp.cap; i++) {
        struct tcp *t = table_val(&pn->tcp, i);

        if (pn->tcp.keys[i] != 0 && pn->tcp.keys[i] != TOMB && t->owner == owner)
            t->owner = into;
    }
    memset(&pn->own[owner], 0, sizeof(pn->own[owner]));
    pn->tcp_queued[owner] = pn->slow_queued[owner] = pn->gen[owner] = 0;
}

/* ---- rounds ---- */

static int send_dump(struct proc_net *pn, int family, int proto)
{
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    struct {
        struct nlmsghdr h;
        union {
            struct inet_diag_req_v2 inet;
            struct unix_diag_req unx;
        } r;
    } req;
    size_t rlen = family == AF_UNIX ? sizeof(req.r.unx) : sizeof(req.r.inet);

    memset(&req, 0, sizeof(req));
    req.h.nlmsg_len = (uint32_t)NLMSG_LENGTH(rlen);
    req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = ++pn->seq;
    if (family == AF_UNIX) {
        req.r.unx.sdiag_family = AF_UNIX;
        req.r.unx.udiag_states = ~0u;
        req.r.unx.udiag_show = UDIAG_SHOW_RQLEN;
    } else {
        req.r.inet.sdiag_family = (uint8_t)family;
        req.r.inet.sdiag_protocol = (uint8_t)proto;
        req.r.inet.idiag_states = ~0u;
        if (proto == IPPROTO_TCP)
            req.r.inet.idiag_ext = 1 << (INET_DIAG_INFO - 1);
    }
    if (sendto(pn->fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return -errno;
    return 0;
}

typedef void (*visit_fn)(struct proc_net *pn, const struct proc_net_sock *s, int64_t now);

/* Dump one family and protocol, calling visit for every socket. */
static int dump(struct proc_net *pn, int family, int proto, visit_fn visit, int64_t now)
{
    int done = 0, rc = send_dump(pn, family, proto);

    while (rc == 0 && !done) {
        ssize_t len = recv(pn->fd, pn->buf, sizeof(pn->buf), 0);
        size_t off = 0;

        if (len < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (len == 0)
            return -EPROTO;
        /* Parse in batches: a datagram may hold more records than recs. */
        while (off < (size_t)len && !done && rc == 0) {
            size_t n = 0, used = 0;

            rc = proc_net_parse(pn->buf + off, (size_t)len - off, proto, pn->recs, BATCH, &n, &used,
                                &done);
            for (size_t i = 0; i < n; i++)
                visit(pn, &pn->recs[i], now);
            if (used == 0)
                break;
            off += used;
        }
    }
    return rc;
}

static void add_bytes(struct proc_net *pn, struct tcp *t, uint64_t rx, uint64_t tx)
{
    struct proc_net_owner *o = &pn->own[t->owner];

    if (rx > t->rx)
        o->rx_bytes += rx - t->rx;
    if (tx > t->tx)
        o->tx_bytes += tx - t->tx;
    if (rx > t->rx)
        t->rx = rx;
    if (tx > t->tx)
        t->tx = tx;
}

/* A TCP record from a dump: update a socket of ours, or adopt one an owner holds. */
static void visit_tcp(struct proc_net *pn, const struct proc_net_sock *s, int64_t now)
{
    size_t slot = table_find(&pn->tcp, s->cookie);
    struct tcp *t;

    (void)now;
    if (s->kind != PROC_NET_TCP || s->cookie == 0 || s->cookie == TOMB)
        return;
    if (slot == SIZE_MAX) {
        size_t hs = s->inode ? table_find(&pn->held, s->inode) : SIZE_MAX;
        struct held *h = hs == SIZE_MAX ? NULL : table_val(&pn->held, hs);

        if (!h || h->owner == NO_OWNER || h->owner >= pn->nown)
            return;
        h->kind = PROC_NET_TCP;
        h->classified = 1;
        if (!(t = table_add(&pn->tcp, s->cookie)))
            return;
        t->owner = h->owner;
        t->inode = s->inode;
        if (pn->baseline) {
            t->rx = s->rx_bytes;
            t->tx = s->tx_bytes;
        }
    } else {
        t = table_val(&pn->tcp, slot);
    }
    t->missing_since = 0;
    if (s->has_info) /* a TIME_WAIT socket keeps the cookie but has no tcp_info */
        add_bytes(pn, t, s->rx_bytes, s->tx_bytes);
    if (s->inode == 0) /* closed: still moving its last bytes, but no longer held */
        return;
    pn->own[t->owner].tcp++;
    if (s->state != PROC_NET_LISTEN)
        pn->tcp_queued[t->owner] += s->rqueue + s->wqueue;
}

/* The final counters of n destroyed sockets in pn->recs; returns how many were ours. */
static size_t take_destroyed(struct proc_net *pn, size_t n)
{
    size_t ours = 0;

    for (size_t i = 0; i < n; i++) {
        size_t slot = table_find(&pn->tcp, pn->recs[i].cookie);
        struct tcp *t;

        if (slot == SIZE_MAX || pn->recs[i].kind != PROC_NET_TCP)
            continue;
        t = table_val(&pn->tcp, slot);
        if (pn->recs[i].has_info)
            add_bytes(pn, t, pn->recs[i].rx_bytes, pn->recs[i].tx_bytes);
        table_del(&pn->tcp, slot);
        pn->st.destroyed++;
        ours++;
    }
    return ours;
}

int proc_net_destroyed(struct proc_net *pn, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    size_t off = 0, n, used, ours = 0;
    int done = 0;

    for (; off < len; off += used) {
        if (proc_net_parse(p + off, len - off, IPPROTO_TCP, pn->recs, BATCH, &n, &used, &done) <
                0 ||
            used == 0)
            break;
        ours += take_destroyed(pn, n);
    }
    return (int)ours;
}

/* Final counters of destroyed TCP sockets (of every process: ours are found by cookie). */
static void drain_destroyed(struct proc_net *pn)
{
    for (;;) {
        ssize_t len = recv(pn->destroy_fd, pn->buf, sizeof(pn->buf), MSG_DONTWAIT);

        if (len < 0 && errno == EINTR)
            continue;
        if (len <= 0)
            return; /* EAGAIN; ENOBUFS (overrun: some finals lost) is retried next round */
        proc_net_destroyed(pn, pn->buf, (size_t)len);
    }
}

/* Whether a TCP dump is worth its cost: a TCP socket of ours, or a held one not classified. */
static int need_tcp(const struct proc_net *pn)
{
    if (pn->tcp.live)
        return 1;
    for (size_t i = 0; i < pn->held.cap; i++) {
        const struct held *h = table_val(&pn->held, i);

        if (pn->held.keys[i] != 0 && pn->held.keys[i] != TOMB && !h->classified)
            return 1;
    }
    return 0;
}

static int tcp_round(struct proc_net *pn, int64_t now)
{
    int rc;

    for (size_t o = 0; o < pn->nown; o++) {
        pn->own[o].tcp = 0;
        pn->tcp_queued[o] = 0;
    }
    /* Mark every socket unseen; visit_tcp clears the mark of those in the dump. */
    for (size_t i = 0; i < pn->tcp.cap; i++) {
        struct tcp *t = table_val(&pn->tcp, i);

        if (pn->tcp.keys[i] != 0 && pn->tcp.keys[i] != TOMB && t->missing_since == 0)
            t->missing_since = -1;
    }
    rc = dump(pn, AF_INET, IPPROTO_TCP, visit_tcp, now);
    if (rc == 0)
        rc = dump(pn, AF_INET6, IPPROTO_TCP, visit_tcp, now);
    pn->st.tcp_dumps++;
    for (size_t i = 0; rc == 0 && i < pn->tcp.cap; i++) {
        struct tcp *t = table_val(&pn->tcp, i);

        if (pn->tcp.keys[i] == 0 || pn->tcp.keys[i] == TOMB)
            continue;
        if (t->missing_since == -1)
            t->missing_since = now;
        if (t->missing_since > 0 && now - t->missing_since > KEEP_NS) {
            table_del(&pn->tcp, i);
            pn->st.lost++;
        }
    }
    return rc;
}

/* A UDP or Unix record of the slow round: count it for the owner holding its inode. */
static void visit_slow(struct proc_net *pn, const struct proc_net_sock *s, int64_t now)
{
    size_t hs = s->inode ? table_find(&pn->held, s->inode) : SIZE_MAX;
    struct held *h;

    (void)now;
    if (hs == SIZE_MAX || (s->kind != PROC_NET_UDP && s->kind != PROC_NET_UNIX))
        return;
    h = table_val(&pn->held, hs);
    if (h->owner >= pn->nown)
        return;
    h->kind = s->kind;
    h->classified = 1;
    if (s->kind == PROC_NET_UDP)
        pn->own[h->owner].udp++;
    else
        pn->own[h->owner].unix_socks++;
    if (s->state != PROC_NET_LISTEN)
        pn->slow_queued[h->owner] += s->rqueue + s->wqueue;
}

static int slow_round(struct proc_net *pn, int64_t now)
{
    int rc;

    for (size_t o = 0; o < pn->nown; o++) {
        pn->own[o].udp = pn->own[o].unix_socks = pn->own[o].other = 0;
        pn->slow_queued[o] = 0;
    }
    rc = dump(pn, AF_INET, IPPROTO_UDP, visit_slow, now);
    if (rc == 0)
        rc = dump(pn, AF_INET6, IPPROTO_UDP, visit_slow, now);
    if (rc == 0)
        rc = dump(pn, AF_UNIX, 0, visit_slow, now);
    pn->st.slow_dumps++;
    /* What no dump claimed is of another kind (netlink, packet...). */
    for (size_t i = 0; rc == 0 && i < pn->held.cap; i++) {
        struct held *h = table_val(&pn->held, i);

        if (pn->held.keys[i] == 0 || pn->held.keys[i] == TOMB || h->owner >= pn->nown)
            continue;
        if (!h->classified) {
            h->classified = 1;
            h->kind = PROC_NET_OTHER;
        }
        if (h->kind == PROC_NET_OTHER)
            pn->own[h->owner].other++;
    }
    return rc;
}

int proc_net_update(struct proc_net *pn, int64_t now_ns, int slow)
{
    int rc = 0;

    /* Destroy messages matter while we follow a TCP socket; the others (every socket of the
     * system) are drained at the slow rate only, so that the queue never overflows. */
    if (pn->destroy_fd >= 0 && (pn->tcp.live || slow))
        drain_destroyed(pn);
    if (need_tcp(pn)) {
        rc = tcp_round(pn, now_ns);
    } else {
        for (size_t o = 0; o < pn->nown; o++)
            pn->own[o].tcp = pn->tcp_queued[o] = 0;
    }
    if (rc == 0 && slow && pn->held.live) /* the dumps list every socket of the system */
        rc = slow_round(pn, now_ns);
    else if (slow && !pn->held.live)
        for (size_t o = 0; o < pn->nown; o++)
            pn->own[o].udp = pn->own[o].unix_socks = pn->own[o].other = pn->slow_queued[o] = 0;
    for (size_t o = 0; o < pn->nown; o++)
        pn->own[o].queued = (uint64_t)pn->tcp_queued[o] + pn->slow_queued[o];
    return rc;
}
