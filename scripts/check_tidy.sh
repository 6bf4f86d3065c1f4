#!/usr/bin/env bash
# clang-tidy (.clang-tidy: bugprone, performance, a few modernize/readability checks) over the
# non-test .cpp files of src/, every finding an error (WarningsAsErrors '*'; headers under src/
# are checked through the files that include them). Exits 1 naming the findings.
#   scripts/check_tidy.sh [BUILD_DIR]     (default: build; needs its compile_commands.json and a
#                                          built tree, since some headers are generated)
#
# Which files. The whole of src/ costs about 6 s of clang-tidy per file (our headers pull in
# Boost.Asio, nlohmann::json and the STL), over 8 minutes on 2 cores: too long for every CI run,
# whose whole suite must stay well under 30 minutes. So a run checks
#   1. every file changed since the baseline, committed or not. The baseline is the merge-base
#      with origin/main when that branch exists; else the commit the last clean run of this
#      build folder recorded in BUILD_DIR/tidy-clean-commit (so a CI machine that keeps its
#      build checks what changed since its last green run); else the commit named in
#      scripts/tidy_baseline.txt (one at which all of src/ was checked clean; advance it after a
#      clean BEACON_TIDY_ALL=1 run). A changed header brings in the .cpp files that include it
#      directly;
#      more than 40 such files (BEACON_TIDY_MAX_CHANGED) are checked a part per run, in turns;
#   2. a rotating eighth of all the files: slice (days since 1970 mod 8), so that any eight
#      consecutive days of CI runs cover the whole tree even where nothing changed.
# A typical run is 40-60 files, 2-3 minutes on 2 cores.
# BEACON_TIDY_ALL=1 checks every file (then record HEAD in scripts/tidy_baseline.txt if clean);
# BEACON_TIDY_SLICE=N picks the rotating slice (0-7) to reproduce a run; BEACON_TIDY_FILES="a.cpp
# b.cpp" checks just those files.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
db="$build/compile_commands.json"
if [[ ! -f "$db" ]]; then
  echo "check_tidy: $db not found (configure and build $build first)"; exit 1
fi
command -v clang-tidy >/dev/null || { echo "check_tidy: clang-tidy not installed"; exit 1; }
slices=8
max_changed=${BEACON_TIDY_MAX_CHANGED:-40}  # ~2 minutes of the 2-core CI machine
partial=0

# Every non-test source of src/ that the build compiles (optional modules may be off).
mapfile -t all < <(python3 - "$db" <<'EOF'
import json, os, sys
root = os.getcwd() + "/src/"
seen = set()
for e in json.load(open(sys.argv[1])):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if not f.startswith(root) or not f.endswith(".cpp"):
        continue
    name = os.path.basename(f)
    if any(t in name for t in ("_test.cpp", "_pgtest.cpp", "_redistest.cpp", "_bench.cpp")):
        continue
    seen.add(os.path.relpath(f))
print("\n".join(sorted(seen)))
EOF
)
declare -A known=()
for f in "${all[@]}"; do known[$f]=1; done

declare -A pick=()
why=""
if [[ -n "${BEACON_TIDY_FILES:-}" ]]; then
  for f in $BEACON_TIDY_FILES; do pick[$f]=1; done
  why="the files named in BEACON_TIDY_FILES"
elif [[ "${BEACON_TIDY_ALL:-0}" == 1 ]]; then
  for f in "${all[@]}"; do pick[$f]=1; done
  why="all of src/"
else
  base=""
  usable() { [[ -n "$1" ]] && git merge-base --is-ancestor "$1" HEAD 2>/dev/null; }
  if git rev-parse -q --verify origin/main >/dev/null; then
    base=$(git merge-base HEAD origin/main)
  fi
  if [[ -z "$base" && -f "$build/tidy-clean-commit" ]]; then
    c=$(tr -d '[:space:]' < "$build/tidy-clean-commit")
    usable "$c" && base=$c
  fi
  if [[ -z "$base" && -f scripts/tidy_baseline.txt ]]; then
    c=$(grep -v '^#' scripts/tidy_baseline.txt | head -1 | tr -d '[:space:]')
    usable "$c" && base=$c
  fi
  changed=()
  if [[ -n "$base" ]]; then
    mapfile -t changed < <( (git diff --name-only "$base" -- 'src/*.cpp' 'src/*.hpp';
                             git ls-files --others --exclude-standard -- 'src/*.cpp' 'src/*.hpp') |
                           sort -u)
  fi
  for f in "${changed[@]}"; do
    [[ -f "$f" ]] || continue
    if [[ "$f" == *.cpp ]]; then
      [[ -n "${known[$f]:-}" ]] && pick[$f]=1
    else
      # The .cpp files that include this header directly ("module/name.hpp").
      inc=${f#src/}
      while IFS= read -r user; do
        [[ -n "${known[$user]:-}" ]] && pick[$user]=1
      done < <(grep -rlF --include='*.cpp' "#include \"$inc\"" src || true)
    fi
  done
  slice=${BEACON_TIDY_SLICE:-$(( $(date -u +%s) / 86400 % slices ))}
  # Over the cap, the changed files are checked in turns too (part `slice mod parts` of them),
  # and the baseline is not advanced, so later runs take the other parts.
  mapfile -t touched < <(printf '%s\n' "${!pick[@]}" | sed '/^$/d' | sort)
  parts=$(( (${#touched[@]} + max_changed - 1) / max_changed ))
  if (( parts > 1 )); then
    pick=()
    for i in "${!touched[@]}"; do
      (( i % parts == slice % parts )) && pick[${touched[$i]}]=1
    done
    partial=1
  fi
  for i in "${!all[@]}"; do
    (( i % slices == slice )) && pick[${all[$i]}]=1
  done
  why="${#touched[@]} files touched by ${#changed[@]} changes since ${base:0:12}"
  (( parts > 1 )) && why+=" (over $max_changed: part $(( slice % parts + 1 )) of $parts)"
  why+=" + rotating slice $slice/$slices"
  [[ -z "$base" ]] && why="no baseline found; rotating slice $slice/$slices only"
fi

files=()
for f in "${!pick[@]}"; do
  if [[ -z "${known[$f]:-}" ]]; then
    echo "check_tidy: $f is not a non-test source the build compiles; skipped"; continue
  fi
  files+=("$f")
done
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort)
echo "check_tidy: ${#files[@]} of ${#all[@]} files ($why)"
(( ${#files[@]} == 0 )) && exit 0

jobs=$(nproc)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
if command -v run-clang-tidy >/dev/null; then
  # Each file's output is printed whole; the file names are anchored regular expressions.
  patterns=()
  for f in "${files[@]}"; do patterns+=("/${f//./\\.}\$"); done
  run-clang-tidy -p "$build" -j "$jobs" -quiet "${patterns[@]}" >"$log" 2>&1 || status=$?
else
  printf '%s\n' "${files[@]}" |
    xargs -P "$jobs" -n 1 clang-tidy -p "$build" --quiet >"$log" 2>&1 || status=$?
fi
# run-clang-tidy colours its output; the findings are printed plain, then listed once each.
sed -i 's/\x1b\[[0-9;]*m//g' "$log"
if (( status != 0 )) || grep -qE '(warning|error): .*\[[a-z]+-' "$log"; then
  grep -vE 'warnings? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^clang-tidy(-[0-9]+)? ' \
    "$log" || true
  echo "check_tidy: findings:"
  grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): ' "$log" | sed "s|^$PWD/||" | sort -u
  echo "check_tidy: fix them (see .clang-tidy), or for a justified exception add"
  echo "  // NOLINT(check-name): reason"
  exit 1
fi
# What changed up to HEAD has now been checked: the next run of this build folder starts there.
if [[ -z "${BEACON_TIDY_FILES:-}" && $partial == 0 ]]; then
  git rev-parse HEAD > "$build/tidy-clean-commit" 2>/dev/null || true
fi
echo "check_tidy: clean"
