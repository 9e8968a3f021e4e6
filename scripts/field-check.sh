#!/usr/bin/env bash
# Checks the migration of the team's app end to end, on a copy of it with its dependencies installed:
#
#   scripts/field-check.sh <app-dir>
#
# <app-dir> is a checkout of adisornlam/tutor-school-platform at 9d072fc (the app before the team's
# hand migration) after `npm install --legacy-peer-deps`. It is never modified: the script works on
# two scratch copies (node_modules hard-linked, as a symlink breaks imports outside app/), the
# original and the migrated one, and prints one line per check. Run by hand (CI has no network to
# fetch the app). Exit 0 when every check passes, 1 otherwise.
set -uo pipefail

app=${1:?usage: scripts/field-check.sh <app-dir>}
app=$(cd "$app" && pwd)
tool=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$app/package.json" ] || { echo "field-check: $app has no package.json" >&2; exit 2; }
[ -d "$app/node_modules" ] || { echo "field-check: $app has no node_modules; run npm install --legacy-peer-deps there first" >&2; exit 2; }
[ -f "$tool/dist/src/cli.js" ] || (cd "$tool" && npm run build >/dev/null)

work=$(mktemp -d "${TMPDIR:-/tmp}/field-check-XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }
check() { if [ "$2" = 0 ]; then pass "$1"; else fail "$1"; fi; }

copy() {
  mkdir -p "$2"
  (cd "$1" && tar --exclude=./node_modules --exclude=./.nuxt --exclude=./.output --exclude=./.git -cf - .) | tar -xf - -C "$2"
  cp -al "$1/node_modules" "$2/node_modules"
  git -C "$2" init -q && git -C "$2" add -A >/dev/null && git -C "$2" -c user.email=check@local -c user.name=check commit -qm original
}

copy "$app" "$work/original"
copy "$app" "$work/migrated"

start=$(date +%s)
node "$tool/bin/tutor-sse-migrate.js" "$work/migrated" --no-install --json "$work/report.json" >"$work/run.log" 2>&1
code=$?
check "migration exits 0 (exit $code, $(( $(date +%s) - start )) s; $(node -e "const r=require('$work/report.json');console.log(r.followUps.length+' follow-ups')" 2>/dev/null))" "$code"
[ "$code" = 0 ] || { sed -n '1,20p' "$work/run.log"; exit 1; }

for file in server/plugins/socket.io.ts server/routes/socket.io.ts server/routes/websocket.ts; do
  if [ -e "$work/original/$file" ] && [ ! -e "$work/migrated/$file" ]; then pass "$file deleted"; else fail "$file deleted"; fi
done

left=$(node -e "
const pkg = require('$work/migrated/package.json')
const all = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies }
console.log(['socket.io', 'socket.io-client', '@socket.io/redis-adapter'].filter((name) => name in all).join(' '))")
check "socket.io, socket.io-client and @socket.io/redis-adapter gone from package.json${left:+ (still: $left)}" "$([ -z "$left" ] && echo 0 || echo 1)"

imports=$(cd "$work/migrated" && grep -rlE "(from|import|require\()\s*\(?['\"](socket\.io|socket\.io-client|@socket\.io/[^'\"]*|engine\.io)['\"]" app server 2>/dev/null | tr '\n' ' ')
check "no Socket.IO import left in app/ and server/${imports:+ (in: $imports)}" "$([ -z "$imports" ] && echo 0 || echo 1)"

(cd "$work/migrated" && git add -A >/dev/null && git -c user.email=check@local -c user.name=check commit -qm migrated)
node "$tool/bin/tutor-sse-migrate.js" "$work/migrated" --no-install >"$work/second.log" 2>&1
second=$?
changed=$(git -C "$work/migrated" status --porcelain | wc -l)
check "a second run changes nothing (exit $second, $changed file(s) changed)" "$([ "$second" = 0 ] && [ "$changed" = 0 ] && echo 0 || echo 1)"

# Type errors, each as `file: TScode message` (lines move with the migration, so they are left out).
typecheck() {
  (cd "$1" && npx nuxi prepare >/dev/null 2>&1 && node "$tool/node_modules/vue-tsc/bin/vue-tsc.js" --noEmit -p tsconfig.json 2>&1) |
    grep -E '^[^ ].*\([0-9]+,[0-9]+\): error TS' | sed -E 's/\([0-9]+,[0-9]+\): error (TS[0-9]+):/: \1/' | sed "s#$1#<app>#g" | sort
}
typecheck "$work/original" >"$work/original.errors"
typecheck "$work/migrated" >"$work/migrated.errors"
touched=$(node -e "
const r = require('$work/report.json')
console.log(r.files.filter((f) => f.status === 'created' || f.status === 'updated').map((f) => f.path).join('\n'))")
new_errors=$(comm -13 "$work/original.errors" "$work/migrated.errors" | grep -F -f <(printf '%s\n' "$touched" | sed 's/$/:/') || true)
summary="$(wc -l <"$work/original.errors") errors before, $(wc -l <"$work/migrated.errors") after"
check "nuxi typecheck: no error in a changed or created file the original did not have ($summary)" "$([ -z "$new_errors" ] && echo 0 || echo 1)"
[ -z "$new_errors" ] || printf '      %s\n' "$new_errors"

(cd "$work/migrated" && npx nuxi build >"$work/build.log" 2>&1)
build=$?
check "nuxi build of the migrated app" "$build"
[ "$build" = 0 ] || tail -20 "$work/build.log"

echo "$failures check(s) failed"
[ "$failures" = 0 ]
