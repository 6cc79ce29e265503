#!/usr/bin/env bash
# check-disk.sh <what> <MiB it takes from a fresh clone> [<folder it fills>...]
# Refuses, in one line, to start work that would run out of disk part-way (cargo's
# "No space left on device" after minutes of building). What the named folders already
# hold counts as done: a second build needs little more. The figures are measured, and
# the README gives them.
set -euo pipefail
cd "$(dirname "$0")/.."

what=$1 full=$2
shift 2
held=0
for folder in "$@"; do
  [ -e "$folder" ] && held=$((held + $(du -sm "$folder" | cut -f1)))
done
need=$((full - held))
free=$(df -Pm . | awk 'NR == 2 { print $4 }')
if [ "$need" -gt "$free" ]; then
  gib() { awk -v m="$1" 'BEGIN { printf "%.1f GiB", m / 1024 }'; }
  echo "error: $what needs about $(gib "$need") more disk, and $(gib "$free") is free on $(df -P . | awk 'NR == 2 { print $6 }'): free some (an old checkout's target/, say) and run it again" >&2
  exit 1
fi
