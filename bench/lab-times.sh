#!/usr/bin/env bash
# Times the lab's long steps: a forced root build (debootstrap and apt download caches
# warm), a cached build, the checker root forced and cached, lab up and lab down. Prints
# one line per step.
# A truly cold build (empty /var/cache/mailctl) is measured by removing that directory first:
#   rm -rf /var/cache/mailctl && bench/lab-times.sh
set -euo pipefail
cd "$(dirname "$0")/.."
m=./mailctl
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); printf '%-44s %6.1f s\n' "$*" "$(echo "$e - $s" | bc)"; }
[ "${1:-}" = "--skip-forced" ] || t $m lab build --force
t $m lab build
[ "${1:-}" = "--skip-forced" ] || t $m lab build --checker-root --force
t $m lab build --checker-root
t $m lab up --name bench
t $m lab down --name bench
t $m lab up --name bench
t $m lab down --name bench
