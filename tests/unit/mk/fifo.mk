# The FIFO event channel queue walk (xen/evtchn_fifo_queue.c) against a
# fake Xen that links events the way Xen's evtchn_fifo_set_pending does.
UNIT_TESTS += evtchn_fifo_queue
unit_src_evtchn_fifo_queue := xen/evtchn_fifo_queue.c
FUZZ_TARGETS += evtchn_fifo_queue
fuzz_src_evtchn_fifo_queue := xen/evtchn_fifo_queue.c
