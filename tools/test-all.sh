#!/usr/bin/env bash
# make test: the unit tests and the documentation check on the host, then
# the scenarios on the Xen test host, and one closing line with the totals.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
unit_log=build/unit.log
xen_log=build/xentest.log
doc_log=build/doccheck.log

echo "== unit tests (cmocka, host) =="
make --no-print-directory unit 2>&1 | tee "$unit_log"
unit_rc=${PIPESTATUS[0]}
u_pass=$(grep -oE '^\[  PASSED  \] [0-9]+' "$unit_log" | awk '{s+=$NF} END {print s+0}')
u_fail=$(grep -oE '^\[  FAILED  \] [0-9]+' "$unit_log" | awk '{s+=$NF} END {print s+0}')
if [ "$unit_rc" -ne 0 ] && [ "$u_fail" -eq 0 ]; then
  u_fail=1 # the unit build itself failed
fi

echo
echo "== documentation (the manual and the bench report against the sources) =="
make --no-print-directory doccheck 2>&1 | tee "$doc_log"
doc_rc=${PIPESTATUS[0]}
d_pass=$(grep -cE '^PASS ' "$doc_log")
d_fail=$(grep -cE '^FAIL ' "$doc_log")
if [ "$doc_rc" -ne 0 ] && [ "$d_fail" -eq 0 ]; then
  d_fail=1 # the check itself did not run
fi

echo
echo "== scenarios (Xen test host) =="
make --no-print-directory xentest 2>&1 | tee "$xen_log"
xen_rc=${PIPESTATUS[0]}
x_pass=$(grep -cE '^PASS ' "$xen_log")
x_fail=$(grep -cE '^FAIL ' "$xen_log")
if [ "$xen_rc" -ne 0 ] && [ "$x_fail" -eq 0 ]; then
  x_fail=1 # the kernel or the host failed to build or boot
fi

echo
echo "unit: $u_pass passed, $u_fail failed; docs: $d_pass passed, $d_fail failed; scenarios: $x_pass passed, $x_fail failed"
echo "$((u_pass + d_pass + x_pass)) passed, $((u_fail + d_fail + x_fail)) failed"
[ $((u_fail + d_fail + x_fail)) -eq 0 ]
