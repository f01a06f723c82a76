#ifndef DEV_EVTCHN_EVTCHN_USER_H
#define DEV_EVTCHN_EVTCHN_USER_H
/* Event channels for the rest of the system, the way FreeBSD's
 * /dev/xen/evtchn serves programs: bind to another domain's unbound port,
 * allocate a port for another domain, bind a VIRQ, notify, wait for an
 * event with a deadline, unbind. Ports are counted both ways. After a
 * restore the bindings are made again (their port numbers may change);
 * an interdomain binding whose peer is gone is reported closed. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#define EVTCHN_USER_MAX 32

enum evtchn_user_kind { EU_UNBOUND, EU_INTERDOMAIN, EU_VIRQ };

struct evtchn_user {
    evtchn_port_t port;       /* ours (may change across a restore) */
    enum evtchn_user_kind kind;
    domid_t remote;           /* unbound / interdomain: the other domain */
    evtchn_port_t remote_port;/* interdomain: the peer's port */
    uint32_t virq;
    bool echo;                /* answer every event at once (a ping server) */
    bool closed;              /* the peer closed, or it did not survive a restore */
    char publish[64];         /* where the port number was published, if anywhere */
    uint64_t received, sent;
    uint64_t pending;         /* received and not yet waited for */
    /* private */
    bool used;
};

int evtchn_user_alloc_unbound(domid_t remote, bool echo, struct evtchn_user **out);
int evtchn_user_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
                                 struct evtchn_user **out);
int evtchn_user_bind_virq(uint32_t virq, struct evtchn_user **out);
int evtchn_user_notify(struct evtchn_user *u);
/* Takes one event, waiting up to the deadline: 0, -ETIMEDOUT (the log
 * names the port), or -ENOTCONN when the peer has closed its end. */
int evtchn_user_wait(struct evtchn_user *u, uint64_t deadline);
int evtchn_user_unbind(struct evtchn_user *u);
/* Writes the port number to a XenStore path readable by the remote
 * domain (and remembers it, to publish the new port after a restore). */
int evtchn_user_publish(struct evtchn_user *u, const char *path);
/* Asks Xen whether the peer is still there; marks closed if not. */
bool evtchn_user_peer_closed(struct evtchn_user *u);
struct evtchn_user *evtchn_user_find(evtchn_port_t port);
struct evtchn_user *evtchn_user_find_peer(domid_t remote, evtchn_port_t remote_port);
void evtchn_user_for_each(void (*fn)(struct evtchn_user *u, void *arg), void *arg);
const char *evtchn_user_kind_name(enum evtchn_user_kind k);
void evtchn_user_init(void);
#endif
