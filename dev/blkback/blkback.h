#ifndef DEV_BLKBACK_BLKBACK_H
#define DEV_BLKBACK_BLKBACK_H
/* blkback: domu as a storage driver domain. The toolstack (xl with
 * backend=<this domain>) writes backend/vbd/<fe>/<id>; we export the
 * target its params names (ram:SIZE, a RAM disk inside domu, or a domu
 * block device such as xvda) to the front-end over one blkif ring, data
 * moved with grant copies. */
int blkback_init(void);
#endif
