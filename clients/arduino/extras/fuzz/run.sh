#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined) into a temp dir and
# runs each for SECONDS (default 60), seeded from spec/vectors.json: the HTTP answer reader, config
# text, the sync text answer, the static file, and the client past the signature check (a signed
# answer with a fuzzed body). Exit status 1 on any finding.
# Usage: clients/arduino/extras/fuzz/run.sh [SECONDS]
set -euo pipefail
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../src
root=$(cd "$here/../../../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/stratus-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Seeds: the vectors' bodies, files and answers, one file each.
node -e '
  const fs = require("fs"), path = require("path");
  const [vectors, out] = process.argv.slice(1);
  const v = JSON.parse(fs.readFileSync(vectors, "utf8"));
  const put = (dir, name, text) => { fs.mkdirSync(path.join(out, dir), { recursive: true }); fs.writeFileSync(path.join(out, dir, name), text); };
  v.syncText.forEach((s, i) => { put("sync", "s" + i, s.body); put("client", "s" + i, s.body); });
  [...v.configText, ...v.configParse].forEach((c, i) => put("config", "c" + i, c.text));
  v.staticConfig.forEach((s, i) => put("static", "f" + i, s.file));
  v.responses.forEach((r, i) => put("http", "h" + i, "\u0007HTTP/1.1 " + r.status + " X\r\nX-Stratus-Time: " + r.time + "\r\nContent-Length: " + Buffer.byteLength(r.enveloped) + "\r\n\r\n" + r.enveloped));
' "$root/spec/vectors.json" "$work/seeds"

status=0
for harness in http config sync static client; do
  extra=()
  if [ "$harness" = client ]; then extra=(-I"$here/../test" "$here/../test/fake_server.c"); fi
  clang -g -O1 -std=c99 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I"$src" \
    "${extra[@]}" "$here/fuzz_$harness.c" "$src"/stratus_*.c -o "$work/fuzz_$harness"
  mkdir -p "$work/corpus_$harness"
  if "$work/fuzz_$harness" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -artifact_prefix="$work/crash_$harness-" \
      "$work/corpus_$harness" "$work/seeds/$harness" >"$work/log_$harness" 2>&1; then
    runs=$(grep -Eo 'Done [0-9]+ runs' "$work/log_$harness" | grep -Eo '[0-9]+' || echo '?')
    echo "fuzz $harness: ok, $runs runs in ${seconds}s"
  else
    echo "fuzz $harness: FAILED" >&2
    tail -n 40 "$work/log_$harness" >&2
    status=1
  fi
done
exit $status
