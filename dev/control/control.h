#ifndef DEV_CONTROL_CONTROL_H
#define DEV_CONTROL_CONTROL_H
/* Advertises control/feature-*, watches control/shutdown and control/sysrq. */
int control_init(void);
#endif
