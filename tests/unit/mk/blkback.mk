# blkback's pure request checks, responses, copy plans and target names.
UNIT_TESTS += blkback_req
unit_src_blkback_req := dev/blkback/blkback_req.c lib/string.c
FUZZ_TARGETS += blkback_req
fuzz_src_blkback_req := dev/blkback/blkback_req.c lib/string.c
