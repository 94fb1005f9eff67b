/* Network use of processes. Linux keeps no per-process byte counter, so sockets are mapped to
 * processes through their /proc/PID/fd links ("socket:[INODE]") and read with sock_diag
 * netlink: TCP payload bytes received and acknowledged (tcp_info), UDP and Unix queue sizes.
 * A TCP socket closed between two rounds keeps its last bytes: its final tcp_info arrives on
 * the sock_diag destroy multicast groups, without an inode, and is matched by the socket
 * cookie recorded while it was open. See docs/linux.md §11 (sock_diag) and §7 (fd links); the
 * messages are those of linux/inet_diag.h and linux/unix_diag.h.
 * SPDX-License-Identifier: MIT */
#ifndef PROC_NET_H
#define PROC_NET_H

#include <stddef.h>
#include <stdint.h>

enum proc_net_kind {
    PROC_NET_OTHER = 0, /* no sock_diag record of ours (netlink, packet, raw...) or unknown */
    PROC_NET_TCP = 1,
    PROC_NET_UDP = 2,
    PROC_NET_UNIX = 3,
};

/* One socket as sock_diag describes it. */
struct proc_net_sock {
    uint64_t cookie;   /* the kernel's socket cookie: stable for the socket's life */
    uint64_t inode;    /* 0 when the socket has no file any more (closed, or destroyed) */
    uint64_t rx_bytes; /* TCP: tcpi_bytes_received (payload); 0 without tcp_info */
    uint64_t tx_bytes; /* TCP: tcpi_bytes_acked (payload sent and acknowledged) */
    uint32_t rqueue;   /* bytes waiting to be read (listening sockets: pending connections) */
    uint32_t wqueue;   /* bytes waiting to be sent (listening sockets: backlog size) */
    uint8_t kind;      /* enum proc_net_kind */
    uint8_t family;    /* AF_INET, AF_INET6, AF_UNIX */
    uint8_t state;     /* TCP_ESTABLISHED..., 10 = listening (TCP and Unix) */
    uint8_t has_info;  /* 1 when a tcp_info with the byte counters (Linux 4.1+) was present */
};

#define PROC_NET_LISTEN 10 /* TCP_LISTEN, also the state of a listening Unix socket */

/* Parse the target of a /proc/PID/fd/N link (len bytes, no NUL needed). Returns 1 with *inode
 * for "socket:[INODE]", 0 for anything else (a file, "pipe:[N]", "anon_inode:..."), -EINVAL
 * for a malformed socket link. */
int proc_net_fd_link_parse(const char *link, size_t len, uint64_t *inode);

/* Parse one datagram read from a NETLINK_SOCK_DIAG socket: SOCK_DIAG_BY_FAMILY messages
 * describing inet sockets (from a dump or a destroy group) or Unix sockets, told apart by their
 * first byte (the family). proto_hint is the protocol a dump asked for (IPPROTO_TCP or
 * IPPROTO_UDP); an INET_DIAG_PROTOCOL attribute (destroy messages) overrides it. Fills
 * out[0..*n) (at most max: call again at buf + *used for the rest), sets *used to the bytes of
 * whole messages consumed and *done to 1 when NLMSG_DONE ends the dump (*done is otherwise
 * left as it is). Other message types are skipped. Pure. Returns 0, -EINVAL for a malformed
 * message (the records before it are kept), or the error an NLMSG_ERROR carries. */
int proc_net_parse(const void *buf, size_t len, int proto_hint, struct proc_net_sock *out,
                   size_t max, size_t *n, size_t *used, int *done);

/* What the tracker knows of one owner's sockets (an owner is the caller's index of a process). */
struct proc_net_owner {
    uint64_t rx_bytes, tx_bytes; /* TCP payload bytes since the socket was first seen (or since
                                    the baseline), final bytes of closed sockets included */
    uint32_t tcp, udp, unix_socks, other; /* sockets held, at the last round of each kind */
    uint64_t queued; /* bytes in receive + send queues of its TCP, UDP and Unix sockets */
};

struct proc_net_stats {
    uint64_t tcp_dumps;    /* TCP rounds that dumped sockets */
    uint64_t slow_dumps;   /* UDP + Unix rounds */
    uint64_t destroyed;    /* our TCP sockets whose final counters came from a destroy message */
    uint64_t lost;         /* our TCP sockets that vanished without one (last bytes missing) */
    uint64_t fd_scans;     /* fd directories listed */
    int destroy_listening; /* 1 when subscribed to the destroy groups */
};

struct proc_net;

/* Open the sock_diag sockets (one for dumps, one subscribed to the TCP destroy groups of IPv4
 * and IPv6) with room for owners 0..owners-1. Failing to subscribe is not an error (stats tell).
 * Returns 0 or a negative errno (the kernel lacks sock_diag). Caller frees with
 * proc_net_free(). */
int proc_net_open(size_t owners, struct proc_net **out);
void proc_net_free(struct proc_net *pn);

/* Grow the tables so that owners 0..owners-1 fit and the socket tables have room to double:
 * call between rounds, never inside one (the rounds do not allocate). */
void proc_net_reserve(struct proc_net *pn, size_t owners);

/* While on, sockets seen for the first time count from their current bytes (the state at the
 * start of monitoring); while off (the default), from zero. */
void proc_net_baseline(struct proc_net *pn, int on);

/* List the socket links of a process's fd directory (opened by the caller, e.g.
 * proc_res_open(pid, 0, "fd")) and record that owner holds them; sockets it no longer holds
 * are forgotten (a socket keeps its first holder as owner while that one holds it). Returns
 * the number of sockets held, -ESRCH when the process has exited, or a negative errno. */
int proc_net_scan_fds(struct proc_net *pn, int dirfd, uint32_t owner);

/* Forget everything owner holds (the process exited); its totals stay. */
void proc_net_drop_owner(struct proc_net *pn, uint32_t owner);

/* How many TCP sockets of ours are counted for owner: while there are, its bytes can still
 * grow (a closed socket's last bytes arrive with its destroy message). */
size_t proc_net_owner_tcp(const struct proc_net *pn, uint32_t owner);

/* Owner's id is to be used for another process: its totals and sockets are forgotten, except
 * the TCP sockets still counted for it, which are counted for into from now on (their later
 * bytes add to into's totals). */
void proc_net_retire_owner(struct proc_net *pn, uint32_t owner, uint32_t into);

/* One round at now_ns (CLOCK_MONOTONIC): drain the destroy messages, then dump TCP sockets when
 * owners hold a TCP socket or one not yet classified; with slow set, also dump UDP and Unix
 * sockets (queues, counts) and classify the rest as other. Returns 0 or a negative errno. */
int proc_net_update(struct proc_net *pn, int64_t now_ns, int slow);

/* Take the final counters from one datagram of the destroy groups (what the listener of
 * proc_net_update() receives; exposed for tests): the bytes since the last round go to the
 * owners of the sockets that are ours (by cookie), which are then forgotten. Returns how many
 * were ours. */
int proc_net_destroyed(struct proc_net *pn, const void *buf, size_t len);

/* The totals of owner (zeros for an owner never seen). Valid until the next call. */
const struct proc_net_owner *proc_net_owner(const struct proc_net *pn, uint32_t owner);
void proc_net_get_stats(const struct proc_net *pn, struct proc_net_stats *out);

#endif
