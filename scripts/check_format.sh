#!/usr/bin/env bash
# C++ layout is clang-format's job (.clang-format: Google base, 4-space indent, 100 columns).
# The files listed in scripts/format_clean.txt are formatted and must stay so; the tree is not
# reformatted in one commit while many people edit it. The list only grows (a ratchet): run
# `clang-format -i FILE` on a file you are editing anyway and add it; a new file should start
# formatted. Exits 1 naming each listed file that is not formatted; names (without failing) the
# files that are formatted and not listed yet.
set -euo pipefail
cd "$(dirname "$0")/.."
list=scripts/format_clean.txt
declare -A clean
fail=0
while read -r file; do
  [[ -z "$file" || "$file" == \#* ]] && continue
  clean[$file]=1
  if [[ ! -f "$file" ]]; then
    echo "check_format: $file is listed in $list but no longer exists"; fail=1
  elif ! clang-format --dry-run -Werror "$file" >/dev/null 2>&1; then
    echo "check_format: $file is not formatted: clang-format -i $file"; fail=1
  fi
done < "$list"
more=()
while IFS= read -r f; do
  [[ -z "${clean[$f]:-}" ]] && clang-format --dry-run -Werror "$f" >/dev/null 2>&1 && more+=("$f")
done < <(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'fuzz/*.cpp' | sort)
if (( ${#more[@]} > 0 )); then
  echo "check_format: formatted and not yet in $list (add them): ${more[*]}"
fi
exit $fail
