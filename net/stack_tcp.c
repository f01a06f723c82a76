/* TCP in the kernel: net/tcp.c's pure state machine, fed by the stack's
 * receive path and by a thread that runs its timers. One mutex keeps the
 * two (and applications) from interleaving. */
#include "kern/kernel.h"
#include "kern/sched.h"
#include "kern/wait.h"
#include "xen/time.h"
#include "net/inet.h"
#include "net/stack.h"
#include "net/tcp.h"

static struct tcp tcp;
static struct mutex lock = MUTEX_INIT(lock);
static struct waitq wq = WAITQ_INIT(wq);
static bool kicked, started;
static uint64_t sleeping_until; /* the timer thread's wake-up, under the lock */

#define LOCK_DEADLINE_NS NS_PER_SEC

static int tcp_lock(void)
{
    return mutex_lock_within(&lock, LOCK_DEADLINE_NS);
}

static void output(struct tcp *t, const struct tcp_seg *s, void *arg)
{
    static uint8_t seg[24 + TCP_MSS_MAX];
    size_t n = tcp_build(seg, s);
    net_ip_send(s->dst, IP_PROTO_TCP, seg, n); /* lost frames are retransmitted */
}

static void tcp_thread(void *arg)
{
    for (;;) {
        if (tcp_lock())
            continue; /* it waited a second for the lock: again */
        uint64_t until = time_now_ns() + 60 * NS_PER_SEC, next = tcp_next_deadline(&tcp);
        if (next && next < until)
            until = next;
        sleeping_until = until;
        mutex_unlock(&lock);
        wait_event_until(&wq, kicked, until);
        kicked = false;
        if (tcp_lock())
            continue;
        tcp_tick(&tcp, time_now_ns());
        mutex_unlock(&lock);
    }
}

static int start(void)
{
    if (started)
        return 0;
    tcp_init(&tcp, output, 0, (uint32_t)time_now_ns());
    if (!thread_create("tcp", tcp_thread, 0))
        return -ENOMEM;
    started = true;
    return 0;
}

void net_tcp_input(const struct ipv4_view *ip)
{
    struct tcp_seg s;
    if (!started)
        return;
    if (tcp_parse(ip, &s)) {
        tcp.st.bad_segs++;
        return;
    }
    if (tcp_lock())
        return; /* dropped: the peer retransmits */
    tcp_input(&tcp, &s, time_now_ns());
    net_tcp_unlock();
}

int net_tcp_listen(uint16_t port, const struct tcp_app *app)
{
    int rc = start();
    if (rc)
        return rc;
    if ((rc = tcp_lock()))
        return rc;
    rc = tcp_listen(&tcp, port, app);
    mutex_unlock(&lock);
    return rc;
}

void net_tcp_for_each(void (*fn)(const struct tcp_conn *c, void *arg), void *arg)
{
    for (unsigned i = 0; started && i < TCP_MAX_CONNS; i++)
        if (tcp.conns[i].state != TCP_CLOSED)
            fn(&tcp.conns[i], arg);
}

void net_tcp_stats(struct tcp_stats *st)
{
    *st = tcp.st;
}

int net_tcp_lock(void)
{
    int rc = start();
    return rc ? rc : tcp_lock();
}

void net_tcp_unlock(void)
{
    /* What the caller did may have set an earlier deadline (a SYN's
     * retransmission): the timer thread is woken for it, and only then
     * (most segments move deadlines later), not once per segment. */
    uint64_t next = tcp_next_deadline(&tcp);
    bool earlier = next && next < sleeping_until;
    mutex_unlock(&lock);
    if (earlier) {
        kicked = true;
        waitq_wake_all(&wq);
    }
}

struct tcp *net_tcp_core(void)
{
    return &tcp;
}

unsigned net_tcp_half_open(void)
{
    return started ? tcp_half_open_all(&tcp) : 0;
}
