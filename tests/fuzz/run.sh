#!/usr/bin/env bash
# Coverage-guided fuzzing (issue 17): the framing protocols, samples/KeyValue's RESP parser and the endpoint-string
# parser, each a target of tests/Reactor.FuzzTargets, run under AFL++ through SharpFuzz.
#
#   tests/fuzz/run.sh [--seconds N] [--target NAME]...
#
# Builds tests/Reactor.Fuzz (Release), copies its output to artifacts/fuzz/bin and instruments the copies of
# Reactor.dll and Reactor.FuzzTargets.dll (the RESP parser's classes) with the sharpfuzz tool (.config/dotnet-tools.json)
# — the normal build is never instrumented — then runs afl-fuzz on each target for N seconds (60 by default), one after
# the other (each uses one core), starting from tests/fuzz/corpus/<target>/. It prints, per target, the executions,
# the corpus AFL grew (paths), the map coverage, crashes and hangs, and for each crash or hang the input in hex, where
# it is saved and what the target says about it. Exit code 0 = no crash and no hang in any target.
# Without afl-fuzz (apt-get install afl++) it prints "fuzz: SKIPPED" and exits 0.
# Findings stay in artifacts/fuzz/findings/<target>/default/{crashes,hangs,queue}; to keep a crash as a permanent
# test, copy it to tests/fuzz/regressions/<target>/ (docs/reliability.md, "Fuzzing").
set -uo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

seconds=60
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --target) targets+=("$2"); shift 2 ;;
    *) echo "usage: tests/fuzz/run.sh [--seconds N] [--target lines|intn|netstring|resp|endpoint]..." >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=(lines intn netstring resp endpoint)

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "fuzz: SKIPPED — afl-fuzz is not installed (apt-get install afl++)"
  exit 0
fi

work=artifacts/fuzz
bin="$work/bin"
echo "== fuzz: build and instrument"
dotnet tool restore >/dev/null || { echo "fuzz: FAIL — dotnet tool restore (sharpfuzz) failed"; exit 1; }
dotnet build tests/Reactor.Fuzz -c Release -warnaserror -v quiet -nologo >/dev/null || { echo "fuzz: FAIL — build failed"; exit 1; }
rm -rf "$bin" && mkdir -p "$work/findings" && cp -r tests/Reactor.Fuzz/bin/Release/net10.0 "$bin"
dotnet sharpfuzz "$bin/Reactor.dll" >/dev/null || { echo "fuzz: FAIL — could not instrument Reactor.dll"; exit 1; }
dotnet sharpfuzz "$bin/Reactor.FuzzTargets.dll" Reactor.Samples >/dev/null || { echo "fuzz: FAIL — could not instrument Reactor.FuzzTargets.dll"; exit 1; }
replay="tests/Reactor.Fuzz/bin/Release/net10.0/Reactor.Fuzz.dll"

stat() { sed -n "s/^$1 *: *//p" "$2" 2>/dev/null | head -1; }

passed=0
failed=0
for target in "${targets[@]}"; do
  corpus="tests/fuzz/corpus/$target"
  [ -d "$corpus" ] || { echo "fuzz $target: FAIL — no corpus at $corpus"; failed=$((failed + 1)); continue; }
  out="$work/findings/$target"
  rm -rf "$out"
  dict=()
  [ -f "tests/fuzz/dict/$target.dict" ] && dict=(-x "tests/fuzz/dict/$target.dict")
  echo "== fuzz $target: afl-fuzz for $seconds s"
  AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 \
    AFL_FORKSRV_INIT_TMOUT=60000 AFL_QUIET=1 \
    timeout --kill-after=10 $((seconds + 120)) \
    afl-fuzz -i "$corpus" -o "$out" "${dict[@]}" -t 5000 -V "$seconds" -- "$(command -v dotnet)" "$bin/Reactor.Fuzz.dll" --target "$target" \
    >"$work/afl-$target.log" 2>&1
  rc=$?
  stats="$out/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "fuzz $target: FAIL — afl-fuzz exited with $rc before fuzzing; the end of $work/afl-$target.log:"
    tail -15 "$work/afl-$target.log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
    failed=$((failed + 1))
    continue
  fi

  crashes=$(stat saved_crashes "$stats"); hangs=$(stat saved_hangs "$stats")
  summary="$(stat execs_done "$stats") execs ($(stat execs_per_sec "$stats")/s), $(stat corpus_count "$stats") paths, $(stat bitmap_cvg "$stats") map coverage, ${crashes:-?} crashes, ${hangs:-?} hangs in $(stat run_time "$stats") s"
  if [ "${crashes:-1}" = "0" ] && [ "${hangs:-1}" = "0" ]; then
    echo "fuzz $target: PASS — $summary"
    passed=$((passed + 1))
  else
    echo "fuzz $target: FAIL — $summary"
    for file in "$out"/default/crashes/id* "$out"/default/hangs/id*; do
      [ -f "$file" ] || continue
      echo "  input (hex): $(od -An -tx1 -v "$file" | tr -d ' \n' | head -c 2000)"
      echo "  saved at:    $file"
      echo "  replayed:    $(timeout 60 dotnet "$replay" --target "$target" "$file" 2>&1 | grep -m1 -E 'FAILED|passed' | cut -c1-400)"
    done
    failed=$((failed + 1))
  fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
