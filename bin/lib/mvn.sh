#!/usr/bin/env bash
# Runs Maven with a JDK >= 25 (located the same way as bin/concord), whatever `java` is on the PATH.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bin/lib/find-jdk.sh"
concord_find_jdk || exit 2
export JAVA_HOME="$CONCORD_JAVA_HOME"
if ! command -v mvn >/dev/null 2>&1; then
  echo "error: Maven (mvn) is not installed; on Debian: apt-get install maven" >&2
  exit 2
fi
cd "$root" && exec mvn "$@"
