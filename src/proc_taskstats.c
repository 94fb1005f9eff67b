/* Taskstats exit records over generic netlink: the pure datagram parser and the listener.
 * Formats: docs/linux.md §10, with the definitions of linux/genetlink.h and linux/taskstats.h
 * (the kernel sends one TASKSTATS_CMD_NEW message per exiting task).
 * SPDX-License-Identifier: MIT */
#include "proc_taskstats.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util_xalloc.h"

/* The fields we read end with nivcsw (taskstats version 4 and later); a shorter payload is
 * malformed. Newer kernels send a longer struct, of which we copy only what we know. */
#define STATS_MIN (offsetof(struct taskstats, nivcsw) + sizeof(uint64_t))
#define RECV_BUF  8192      /* one exit datagram is under 1 KiB */
#define DGRAM_MAX 8         /* records kept from one datagram (the kernel sends one or two) */
#define RCVBUF    (4 << 20) /* socket receive buffer: thousands of records between drains */
#define ACK_MS    2000

struct proc_taskstats {
    int fd;
    uint16_t family;
    char mask[64]; /* the cpumask string registered, for deregistering */
    uint32_t seq;
    int pending_err; /* an error to report on the next poll (records were returned first) */
    size_t ncarry, carry_at;
    struct proc_taskstats_rec carry[DGRAM_MAX]; /* parsed but not yet returned */
    _Alignas(8) unsigned char buf[RECV_BUF];
};

/* A view of one attribute or message payload inside the caller's buffer. */
struct span {
    const unsigned char *p;
    size_t len;
};

/* The next attribute of s into *type and *val, advancing s. Returns 1 when one was read, 0 at
 * the end, -EINVAL when a header or length does not fit. */
static int next_attr(struct span *s, uint16_t *type, struct span *val)
{
    struct nlattr na;
    size_t step;

    if (s->len == 0)
        return 0;
    if (s->len < NLA_HDRLEN)
        return -EINVAL;
    memcpy(&na, s->p, sizeof(na));
    if (na.nla_len < NLA_HDRLEN || na.nla_len > s->len)
        return -EINVAL;
    *type = na.nla_type & NLA_TYPE_MASK;
    val->p = s->p + NLA_HDRLEN;
    val->len = na.nla_len - NLA_HDRLEN;
    step = NLA_ALIGN((size_t)na.nla_len);
    if (step > s->len)
        step = s->len; /* the last attribute need not be padded */
    s->p += step;
    s->len -= step;
    return 1;
}

static void fill_rec(struct proc_taskstats_rec *rec, uint32_t id, int tgid,
                     const struct taskstats *ts)
{
    size_t n = strnlen(ts->ac_comm, sizeof(ts->ac_comm));

    memset(rec, 0, sizeof(*rec));
    rec->pid = id;
    rec->ppid = ts->ac_ppid;
    rec->tgid = tgid;
    rec->hiwater_rss = ts->hiwater_rss * 1024;
    rec->utime_us = ts->ac_utime;
    rec->stime_us = ts->ac_stime;
    rec->read_bytes = ts->read_bytes;
    rec->write_bytes = ts->write_bytes;
    rec->cancelled_write_bytes = ts->cancelled_write_bytes;
    rec->nvcsw = ts->nvcsw;
    rec->nivcsw = ts->nivcsw;
    rec->cpu_delay_ns = ts->cpu_delay_total;
    rec->cpu_count = ts->cpu_count;
    rec->cpu_run_ns = ts->cpu_run_virtual_total;
    if (n >= sizeof(rec->comm))
        n = sizeof(rec->comm) - 1;
    memcpy(rec->comm, ts->ac_comm, n);
    rec->comm[n] = '\0';
}

/* One TASKSTATS_TYPE_AGGR_PID / AGGR_TGID nest: an id attribute and a stats attribute. */
static int parse_aggr(struct span nest, int tgid, struct proc_taskstats_rec *rec)
{
    struct taskstats ts;
    struct span val;
    uint16_t type;
    uint32_t id = 0;
    int have_id = 0, have_stats = 0, rc;

    while ((rc = next_attr(&nest, &type, &val)) > 0) {
        if (type == TASKSTATS_TYPE_PID || type == TASKSTATS_TYPE_TGID) {
            if (val.len != sizeof(id))
                return -EINVAL;
            memcpy(&id, val.p, sizeof(id));
            have_id = 1;
        } else if (type == TASKSTATS_TYPE_STATS) {
            if (val.len < STATS_MIN)
                return -EINVAL;
            memset(&ts, 0, sizeof(ts));
            memcpy(&ts, val.p, val.len < sizeof(ts) ? val.len : sizeof(ts));
            have_stats = 1;
        }
    }
    if (rc < 0 || !have_id || !have_stats)
        return -EINVAL;
    fill_rec(rec, id, tgid, &ts);
    return 0;
}

/* The attributes of one taskstats message (after the generic netlink header). */
static int parse_msg(struct span attrs, struct proc_taskstats_rec *out, size_t max, size_t *n)
{
    struct span val;
    uint16_t type;
    int rc = 0;

    while (*n < max && (rc = next_attr(&attrs, &type, &val)) > 0) {
        if (type != TASKSTATS_TYPE_AGGR_PID && type != TASKSTATS_TYPE_AGGR_TGID)
            continue;
        if (parse_aggr(val, type == TASKSTATS_TYPE_AGGR_TGID, &out[*n]) < 0)
            return -EINVAL;
        (*n)++;
    }
    return *n < max && rc < 0 ? -EINVAL : 0;
}

/* Every message is checked against the buffer; records beyond max are not parsed. */
int proc_taskstats_parse(const void *buf, size_t len, uint16_t family,
                         struct proc_taskstats_rec *out, size_t max, size_t *n)
{
    const unsigned char *p = buf;
    struct nlmsghdr h;
    struct genlmsghdr g;
    int rc = 0;

    *n = 0;
    while (len > 0 && *n < max) {
        if (len < NLMSG_HDRLEN) {
            rc = -EINVAL;
            break;
        }
        memcpy(&h, p, sizeof(h));
        if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len) {
            rc = -EINVAL;
            break;
        }
        if (h.nlmsg_type == family) {
            struct span attrs = {p + NLMSG_HDRLEN + GENL_HDRLEN, 0};

            if (h.nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
                rc = -EINVAL;
                break;
            }
            memcpy(&g, p + NLMSG_HDRLEN, sizeof(g));
            attrs.len = h.nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
            if (g.cmd == TASKSTATS_CMD_NEW && (rc = parse_msg(attrs, out, max, n)) < 0)
                break;
        }
        if (NLMSG_ALIGN((size_t)h.nlmsg_len) >= len)
            break;
        p += NLMSG_ALIGN((size_t)h.nlmsg_len);
        len -= NLMSG_ALIGN((size_t)h.nlmsg_len);
    }
    return rc;
}

/* Send one generic netlink request with a single attribute. */
static int send_req(struct proc_taskstats *ts, uint16_t type, uint8_t cmd, uint16_t attr,
                    const void *data, size_t dlen)
{
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    unsigned char *m = ts->buf;
    struct nlmsghdr h = {0};
    struct genlmsghdr g = {.cmd = cmd, .version = 1};
    struct nlattr na = {.nla_len = (uint16_t)(NLA_HDRLEN + dlen), .nla_type = attr};

    if (NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + NLA_ALIGN(dlen) > sizeof(ts->buf))
        return -EINVAL;
    memset(m, 0, NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + NLA_ALIGN(dlen));
    h.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + NLA_ALIGN(dlen));
    h.nlmsg_type = type;
    h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    h.nlmsg_seq = ++ts->seq;
    memcpy(m, &h, sizeof(h));
    memcpy(m + NLMSG_HDRLEN, &g, sizeof(g));
    memcpy(m + NLMSG_HDRLEN + GENL_HDRLEN, &na, sizeof(na));
    memcpy(m + NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN, data, dlen);
    if (sendto(ts->fd, m, h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return -errno;
    return 0;
}

/* Find the reply to our last request among the datagrams that arrive (exit records may come
 * first). Returns its length in ts->buf, or a negative errno (an NLMSG_ERROR's code). */
static ssize_t recv_reply(struct proc_taskstats *ts)
{
    struct pollfd pfd = {.fd = ts->fd, .events = POLLIN};
    struct nlmsghdr h;
    struct nlmsgerr e;

    for (;;) {
        int rc = poll(&pfd, 1, ACK_MS);
        ssize_t len;

        if (rc == 0)
            return -ETIMEDOUT;
        if (rc < 0 && errno != EINTR)
            return -errno;
        len = recv(ts->fd, ts->buf, sizeof(ts->buf), MSG_DONTWAIT);
        if (len < 0 && errno != EAGAIN && errno != EINTR && errno != ENOBUFS)
            return -errno;
        if (len < (ssize_t)NLMSG_HDRLEN)
            continue;
        memcpy(&h, ts->buf, sizeof(h));
        if (h.nlmsg_seq != ts->seq || h.nlmsg_len > (size_t)len)
            continue;
        if (h.nlmsg_type != NLMSG_ERROR)
            return len;
        if (h.nlmsg_len < NLMSG_HDRLEN + sizeof(e))
            return -EINVAL;
        memcpy(&e, ts->buf + NLMSG_HDRLEN, sizeof(e));
        return e.error; /* 0: an acknowledgement */
    }
}

/* The id of the "TASKSTATS" family from the controller's reply. */
static int resolve_family(struct proc_taskstats *ts)
{
    struct span attrs, val;
    struct nlmsghdr h;
    uint16_t type;
    ssize_t len;
    int rc;

    rc = send_req(ts, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME,
                  sizeof(TASKSTATS_GENL_NAME));
    if (rc < 0)
        return rc;
    len = recv_reply(ts);
    if (len <= 0)
        return len == 0 ? -EPROTO : (int)len;
    memcpy(&h, ts->buf, sizeof(h));
    if (h.nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
        return -EPROTO;
    attrs.p = ts->buf + NLMSG_HDRLEN + GENL_HDRLEN;
    attrs.len = h.nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
    while ((rc = next_attr(&attrs, &type, &val)) > 0) {
        if (type == CTRL_ATTR_FAMILY_ID && val.len >= sizeof(uint16_t)) {
            memcpy(&ts->family, val.p, sizeof(uint16_t));
            return recv_reply(ts) < 0 ? -EPROTO : 0; /* consume the acknowledgement */
        }
    }
    return -EPROTO;
}

/* The kernel accepts only possible CPUs: use the list it publishes, "0-N" otherwise. */
static void possible_cpus(char *buf, size_t size)
{
    ssize_t n = -1;
    int fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);

    if (fd >= 0) {
        n = read(fd, buf, size - 1);
        close(fd);
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        n--;
    if (n > 0) {
        buf[n] = '\0';
        return;
    }
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    snprintf(buf, size, "0-%ld", ncpu > 1 ? ncpu - 1 : 0);
}

static int open_ts(struct proc_taskstats **out, int exits)
{
    struct sockaddr_nl local = {.nl_family = AF_NETLINK};
    struct proc_taskstats *ts = xcalloc(1, sizeof(*ts));
    int size = RCVBUF, rc;

    ts->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
    if (ts->fd < 0) {
        rc = -errno;
        goto out;
    }
    if (bind(ts->fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
        rc = -errno;
        goto out;
    }
    if (!exits) {
        rc = resolve_family(ts);
        goto out;
    }
    /* The forced size needs CAP_NET_ADMIN, which registering needs as well. */
    if (setsockopt(ts->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
        setsockopt(ts->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    if ((rc = resolve_family(ts)) < 0)
        goto out;
    possible_cpus(ts->mask, sizeof(ts->mask));
    rc = send_req(ts, ts->family, TASKSTATS_CMD_GET, TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, ts->mask,
                  strlen(ts->mask) + 1);
    if (rc == 0) {
        ssize_t r = recv_reply(ts);
        rc = r < 0 ? (int)r : 0;
    }
out:
    if (rc < 0) {
        if (ts->fd >= 0)
            close(ts->fd);
        free(ts);
        return rc;
    }
    *out = ts;
    return 0;
}

int proc_taskstats_open(struct proc_taskstats **out)
{
    return open_ts(out, 1);
}

int proc_taskstats_open_query(struct proc_taskstats **out)
{
    return open_ts(out, 0);
}

int proc_taskstats_tgid(struct proc_taskstats *ts, int tgid, struct proc_taskstats_rec *out)
{
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    struct {
        struct nlmsghdr h;
        struct genlmsghdr g;
        struct nlattr na;
        uint32_t id;
    } req;
    struct nlmsghdr h;
    size_t n = 0;
    ssize_t len;

    /* No acknowledgement asked: the reply is the only message, queued within sendto(). */
    memset(&req, 0, sizeof(req));
    req.h.nlmsg_len = sizeof(req);
    req.h.nlmsg_type = ts->family;
    req.h.nlmsg_flags = NLM_F_REQUEST;
    req.h.nlmsg_seq = ++ts->seq;
    req.g.cmd = TASKSTATS_CMD_GET;
    req.g.version = 1;
    req.na.nla_len = NLA_HDRLEN + sizeof(uint32_t);
    req.na.nla_type = TASKSTATS_CMD_ATTR_TGID;
    req.id = (uint32_t)tgid;
    if (sendto(ts->fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return -errno;
    len = recv(ts->fd, ts->buf, sizeof(ts->buf), MSG_DONTWAIT);
    if (len < 0)
        len = recv_reply(ts); /* not there yet: wait for it (bounded) */
    if (len < (ssize_t)NLMSG_HDRLEN)
        return len < 0 ? (int)len : -EPROTO;
    memcpy(&h, ts->buf, sizeof(h));
    if (h.nlmsg_type == NLMSG_ERROR && len >= (ssize_t)(NLMSG_HDRLEN + sizeof(struct nlmsgerr))) {
        struct nlmsgerr e;

        memcpy(&e, ts->buf + NLMSG_HDRLEN, sizeof(e));
        return e.error < 0 ? e.error : -EPROTO;
    }
    if (proc_taskstats_parse(ts->buf, (size_t)len, ts->family, out, 1, &n) < 0 || n != 1)
        return -EPROTO;
    return (int)out->pid == tgid ? 0 : -EPROTO;
}

/* Move carried records to out[*n..max). */
static void take_carry(struct proc_taskstats *ts, struct proc_taskstats_rec *out, size_t max,
                       size_t *n)
{
    while (*n < max && ts->carry_at < ts->ncarry)
        out[(*n)++] = ts->carry[ts->carry_at++];
    if (ts->carry_at == ts->ncarry)
        ts->ncarry = ts->carry_at = 0;
}

/* Receive one datagram into the carry. Returns 1, 0 when none is waiting, or -errno. */
static int recv_one(struct proc_taskstats *ts)
{
    for (;;) {
        ssize_t len = recv(ts->fd, ts->buf, sizeof(ts->buf), MSG_DONTWAIT);
        size_t k;

        if (len < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
        }
        /* A malformed datagram keeps the records parsed before the fault. */
        proc_taskstats_parse(ts->buf, (size_t)len, ts->family, ts->carry, DGRAM_MAX, &k);
        ts->ncarry = k;
        ts->carry_at = 0;
        return 1;
    }
}

int proc_taskstats_poll(struct proc_taskstats *ts, struct proc_taskstats_rec *out, size_t max,
                        size_t *n)
{
    size_t got = 0;
    int rc;

    if (ts->pending_err < 0) {
        rc = ts->pending_err;
        ts->pending_err = 0;
        return rc;
    }
    take_carry(ts, out, max, &got);
    while (got < max) {
        rc = recv_one(ts);
        if (rc == 0)
            break;
        if (rc < 0) {
            if (got == 0)
                return rc;
            ts->pending_err = rc; /* report it after the records already read */
            break;
        }
        take_carry(ts, out, max, &got);
    }
    *n = got;
    return 0;
}

void proc_taskstats_free(struct proc_taskstats *ts)
{
    if (!ts)
        return;
    if (ts->mask[0]) /* registered for exit records */
        send_req(ts, ts->family, TASKSTATS_CMD_GET, TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK, ts->mask,
                 strlen(ts->mask) + 1);
    close(ts->fd);
    free(ts);
}
