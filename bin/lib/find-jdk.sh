# Sourced by bin/concord and bin/test: sets CONCORD_JAVA_HOME to a JDK >= 25.
# Order: $JAVA_HOME if it is recent enough, then the newest JDK in the system's JVM directory.
# Why not `java` on the PATH: on Debian the default is JDK 17, which cannot run Concord (Java 25, Vector API).

concord_jdk_major() {
  # Prints the feature version of the JDK at $1 (from its release file), or nothing.
  local home="$1" line v
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    line=$(grep -m1 '^JAVA_VERSION=' "$home/release" 2>/dev/null)
    v=${line#JAVA_VERSION=}
    v=${v//\"/}
  fi
  if [ -z "${v:-}" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
  fi
  v=${v%%.*}
  v=${v%%-*}
  case "$v" in ''|*[!0-9]*) return 0 ;; esac
  echo "$v"
}

concord_find_jdk() {
  local need=25 best="" best_v=0 home v dir
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(concord_jdk_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$need" ]; then
      CONCORD_JAVA_HOME="$JAVA_HOME"
      return 0
    fi
  fi
  for dir in ${CONCORD_JVM_DIRS:-/usr/lib/jvm /usr/java /opt/java /Library/Java/JavaVirtualMachines}; do
    [ -d "$dir" ] || continue
    for home in "$dir"/* "$dir"/*/Contents/Home; do
      [ -d "$home" ] || continue
      v=$(concord_jdk_major "$home")
      if [ -n "$v" ] && [ "$v" -ge "$need" ] && [ "$v" -gt "$best_v" ]; then
        best="$home"
        best_v="$v"
      fi
    done
  done
  if [ -z "$best" ]; then
    echo "error: Concord needs a JDK 25 or newer; none found in JAVA_HOME (${JAVA_HOME:-unset}) or /usr/lib/jvm. Install one (e.g. Temurin 25) or point JAVA_HOME at it." >&2
    return 1
  fi
  CONCORD_JAVA_HOME="$best"
}
