#ifndef DEV_NETFRONT_NETFRONT_H
#define DEV_NETFRONT_NETFRONT_H
/* netfront: device/vif/<id> as the network interface eth<id>. */
#include <stdbool.h>
int netfront_init(void);
/* Measures each interface's event-to-transmit time (net stats shows it). */
void netfront_timing(bool on);
#endif
