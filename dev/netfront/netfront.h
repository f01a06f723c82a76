#ifndef DEV_NETFRONT_NETFRONT_H
#define DEV_NETFRONT_NETFRONT_H
/* netfront: device/vif/<id> as the network interface eth<id>. */
int netfront_init(void);
#endif
