#!/usr/bin/env bash
# No source file in src/ over 700 lines (tests aside): issue 11's rule. Files that were over it
# when the rule came in are listed in scripts/size_ceilings.txt with their size then; such a file
# may shrink but never grow, and leaves the list once it is under the limit (a ratchet: the list
# only gets shorter). Exits 1 naming each offender.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=700
ceilings=scripts/size_ceilings.txt
declare -A ceiling=()
while read -r file lines; do
  [[ -z "$file" || "$file" == \#* ]] && continue
  ceiling[$file]=$lines
done < "$ceilings"
fail=0
while IFS= read -r f; do
  n=$(wc -l < "$f")
  if [[ -n "${ceiling[$f]:-}" ]]; then
    if (( n > ${ceiling[$f]} )); then
      echo "check_sizes: $f has $n lines, more than its ceiling ${ceiling[$f]}: split it, do not grow it"; fail=1
    elif (( n <= limit )); then
      echo "check_sizes: $f is down to $n lines: remove it from $ceilings"; fail=1
    fi
  elif (( n > limit )); then
    echo "check_sizes: $f has $n lines (limit $limit): split it by concern"; fail=1
  fi
done < <(find src -type f \( -name '*.cpp' -o -name '*.hpp' \) ! -name '*_test.cpp' | sort)
for f in "${!ceiling[@]}"; do
  [[ -f "$f" ]] || { echo "check_sizes: $f is listed in $ceilings but no longer exists"; fail=1; }
done
if (( fail )); then exit 1; fi
echo "check_sizes: every file in src/ within $limit lines or its ceiling (${#ceiling[@]} left to split)"
