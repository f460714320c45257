#!/usr/bin/env bash
# Docker Engine 26 + Compose v2 from Debian 13 (trixie) packages on this Debian 12 machine, beside Debian
# 12's own Engine 20.10 + Compose v1. Nothing is installed from trixie and the machine's apt configuration
# is never changed: a private source list and apt state under $WARP_CI_DIR/apt are used only for
# `apt-get update` and `apt-get download`, and the packages are unpacked with `dpkg -x` into a prefix.
# Engine 26 runs trixie's dockerd and containerd 1.7 with Debian 12's runc (trixie's runc needs a newer
# glibc; the machine's libc is never upgraded).
#
#   setup-engine.sh install         download + unpack (skipped when already done), install the v2 plugin
#   setup-engine.sh start 26|20     stop the other engine, start this one on /var/run/docker.sock
#   setup-engine.sh stop            stop whichever engine runs; returns once its socket is gone
#   setup-engine.sh compose v2|v1   install / remove the Compose v2 CLI plugin (v1: only docker-compose)
#   setup-engine.sh status          which engine answers, and the versions in use
#   setup-engine.sh                 install, then start 26
# Each engine has its own data root, exec root and pidfile; both listen on the default socket. What is
# used is logged to stdout and appended to $WARP_CI_DIR/engine.log; dockerd logs to /var/log/dockerd-26.log
# (Engine 26) and /var/log/dockerd.log (Engine 20.10). Needs root. Set WARP_ENGINE_REFRESH=1 to download
# again. Can also be sourced: engine_install, engine_start 26|20, engine_stop, compose_plugin v2|v1.

WARP_CI_DIR=${WARP_CI_DIR:-/opt/warp-ci}
TRIXIE_PREFIX=${TRIXIE_PREFIX:-$WARP_CI_DIR/trixie}
TRIXIE_PACKAGES=(docker.io containerd docker-compose)
ENGINE_SOCKET=/var/run/docker.sock
COMPOSE_PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose
SYSTEM_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

engine_log() {
  printf '[engine] %s\n' "$*"
  { mkdir -p "$WARP_CI_DIR" && printf '%s %s\n' "$(date -u +%FT%TZ)" "$*" >>"$WARP_CI_DIR/engine.log"; } 2>/dev/null || true
}
engine_fail() {
  engine_log "ERROR: $*"
  return 1
}

# The machine's Debian mirror: the URI of its bookworm entry (deb822 first, then one-line format).
debian_mirror() {
  local uri=''
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '
      /^[[:space:]]*$/ { if (u != "" && s ~ /(^|[[:space:]])bookworm([[:space:]]|$)/) { print u; exit } u = ""; s = "" }
      /^URIs:/ { u = $2 } /^Suites:/ { s = $0 }
      END { if (u != "" && s ~ /(^|[[:space:]])bookworm([[:space:]]|$)/) print u }' /etc/apt/sources.list.d/debian.sources | head -1)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(sed -E 's/\[[^]]*\]//' /etc/apt/sources.list | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

# ---------------------------------------------------------------------------------------------- install
engine_install() {
  local stamp="$TRIXIE_PREFIX/.installed"
  if [ "${WARP_ENGINE_REFRESH:-0}" != 1 ] && [ -f "$stamp" ] && [ -x "$TRIXIE_PREFIX/usr/sbin/dockerd" ] \
    && [ -x "$TRIXIE_PREFIX/usr/bin/containerd" ] \
    && [ -x "$TRIXIE_PREFIX/usr/libexec/docker/cli-plugins/docker-compose" ]; then
    engine_log "trixie prefix ready: $TRIXIE_PREFIX ($(tr '\n' ' ' <"$stamp"))"
  else
    trixie_download_unpack || return 1
  fi
  compose_plugin v2
}

trixie_download_unpack() {
  local apt="$WARP_CI_DIR/apt" mirror t0 t1 t2
  mirror=$(debian_mirror)
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s trixie main\n' "$mirror" >"$apt/sources.list"
  # apt downloads as _apt; let it write where it downloads, else it warns and falls back to root.
  id _apt >/dev/null 2>&1 && chown _apt "$apt/debs" "$apt/lists/partial" "$apt/cache/archives/partial"
  local opts=(
    -o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
    -o Acquire::Languages=none -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false
  )
  engine_log "trixie source: $(cat "$apt/sources.list") (private: $apt, machine apt config untouched)"
  t0=$(date +%s)
  apt-get "${opts[@]}" -qq --error-on=any update >"$apt/update.log" 2>&1 \
    || { tail -20 "$apt/update.log"; engine_fail "apt-get update of the trixie list failed"; return 1; }
  rm -f "$apt/debs"/*.deb
  (cd "$apt/debs" && apt-get "${opts[@]}" -qq download "${TRIXIE_PACKAGES[@]}") >"$apt/download.log" 2>&1 \
    || { tail -20 "$apt/download.log"; engine_fail "apt-get download ${TRIXIE_PACKAGES[*]} failed"; return 1; }
  t1=$(date +%s)
  rm -rf "$TRIXIE_PREFIX.new"
  mkdir -p "$TRIXIE_PREFIX.new"
  local deb
  for deb in "$apt/debs"/*.deb; do
    dpkg -x "$deb" "$TRIXIE_PREFIX.new" || { engine_fail "dpkg -x $deb failed"; return 1; }
    dpkg-deb -W --showformat='${Package}=${Version}\n' "$deb" >>"$TRIXIE_PREFIX.new/.installed"
  done
  # Debian 13's runc needs glibc 2.38: it was not downloaded, and nothing named runc may shadow Debian 12's.
  rm -f "$TRIXIE_PREFIX.new/usr/sbin/runc" "$TRIXIE_PREFIX.new/usr/bin/runc"
  local bin
  for bin in usr/sbin/dockerd usr/sbin/docker-proxy usr/bin/containerd usr/bin/containerd-shim-runc-v2 \
    usr/libexec/docker/cli-plugins/docker-compose; do
    [ -x "$TRIXIE_PREFIX.new/$bin" ] || { engine_fail "$bin missing from the trixie packages"; return 1; }
  done
  "$TRIXIE_PREFIX.new/usr/sbin/dockerd" --version >/dev/null 2>&1 \
    || { "$TRIXIE_PREFIX.new/usr/sbin/dockerd" --version; engine_fail "trixie dockerd does not run here"; return 1; }
  "$TRIXIE_PREFIX.new/usr/bin/containerd" --version >/dev/null 2>&1 \
    || { "$TRIXIE_PREFIX.new/usr/bin/containerd" --version; engine_fail "trixie containerd does not run here"; return 1; }
  rm -rf "$TRIXIE_PREFIX"
  mv "$TRIXIE_PREFIX.new" "$TRIXIE_PREFIX"
  rm -f "$apt/debs"/*.deb
  t2=$(date +%s)
  engine_log "trixie packages: $(tr '\n' ' ' <"$TRIXIE_PREFIX/.installed")"
  engine_log "download $((t1 - t0)) s, unpack $((t2 - t1)) s into $TRIXIE_PREFIX"
}

# The Compose v2 plugin where the Docker CLI finds plugins (v1 removes it: `docker compose` then fails,
# so the app's detection falls back to `docker-compose`).
compose_plugin() {
  case "${1:-v2}" in
    v2)
      local src="$TRIXIE_PREFIX/usr/libexec/docker/cli-plugins/docker-compose"
      [ -x "$src" ] || { engine_fail "no Compose v2 in $TRIXIE_PREFIX (run install)"; return 1; }
      cmp -s "$src" "$COMPOSE_PLUGIN" || install -D -m 0755 "$src" "$COMPOSE_PLUGIN"
      engine_log "compose: v2 plugin $COMPOSE_PLUGIN ($(docker compose version --short 2>&1)); v1 $(command -v docker-compose || echo none)"
      ;;
    v1)
      rm -f "$COMPOSE_PLUGIN"
      engine_log "compose: v2 plugin removed; v1 $(command -v docker-compose) ($(docker-compose version --short 2>&1))"
      ;;
    *) engine_fail "compose: v2 or v1, not '$1'" ;;
  esac
}

# ------------------------------------------------------------------------------------------ the engines
# engine_conf 26|20 sets: E_BIN E_PATH E_DATA E_EXEC E_PID E_LOG E_VERSION (expected server version prefix)
engine_conf() {
  case "$1" in
    26)
      E_BIN="$TRIXIE_PREFIX/usr/sbin/dockerd"
      # trixie's containerd and shim first; runc is Debian 12's /usr/sbin/runc (none in the prefix).
      E_PATH="$TRIXIE_PREFIX/usr/sbin:$TRIXIE_PREFIX/usr/bin:$SYSTEM_PATH"
      E_DATA=/var/lib/docker-26 E_EXEC=/var/run/docker-26 E_PID=/var/run/docker-26.pid
      E_LOG=/var/log/dockerd-26.log E_VERSION=26.
      ;;
    20)
      E_BIN=/usr/sbin/dockerd E_PATH="$SYSTEM_PATH"
      # dockerd's own defaults: a plain `dockerd` (as the fault suite restarts it) is this engine too.
      E_DATA=/var/lib/docker E_EXEC=/var/run/docker E_PID=/var/run/docker.pid
      E_LOG=/var/log/dockerd.log E_VERSION=20.10.
      ;;
    *)
      engine_fail "engine: 26 or 20, not '$1'"
      return 1
      ;;
  esac
}

# The live dockerd pid of engine 26|20 (from its pidfile), or nothing.
engine_pid() {
  engine_conf "$1" || return 1
  local pid
  pid=$(cat "$E_PID" 2>/dev/null) || return 0
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && echo "$pid"
  return 0
}

engine_answers() { docker -H "unix://$ENGINE_SOCKET" version --format '{{.Server.Version}}' 2>/dev/null; }

engine_running() {
  local which
  for which in 26 20; do [ -n "$(engine_pid "$which")" ] && echo "$which"; done
  return 0
}

engine_stop() {
  local which pid containerd_pid i
  for which in $(engine_running); do
    pid=$(engine_pid "$which")
    engine_conf "$which"
    containerd_pid=$(cat "$E_EXEC/containerd/containerd.pid" 2>/dev/null || true)
    engine_log "stopping Engine $which (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 120); do
      [ -d "/proc/$pid" ] || break
      sleep 0.5
    done
    if [ -d "/proc/$pid" ]; then
      engine_log "Engine $which did not stop in 60 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null
      for i in $(seq 1 20); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
    fi
    # dockerd stops the containerd it started; a leftover one (after SIGKILL) is stopped here.
    if [ -n "$containerd_pid" ] && [ "$(cat "/proc/$containerd_pid/comm" 2>/dev/null)" = containerd ]; then
      kill -TERM "$containerd_pid" 2>/dev/null
      for i in $(seq 1 20); do [ -d "/proc/$containerd_pid" ] || break; sleep 0.5; done
    fi
    # A clean stop removes the socket; after a kill it is stale.
    [ -S "$ENGINE_SOCKET" ] && rm -f "$ENGINE_SOCKET"
    rm -f "$E_PID"
    engine_log "Engine $which stopped; $ENGINE_SOCKET gone"
  done
  if [ -S "$ENGINE_SOCKET" ]; then
    if [ -n "$(engine_answers)" ]; then
      engine_fail "an engine not started by this script answers on $ENGINE_SOCKET ($(engine_answers)); stop it first"
      return 1
    fi
    rm -f "$ENGINE_SOCKET"
  fi
  return 0
}

engine_start() {
  local which=${1:-26} t0 got api
  engine_conf "$which" || return 1
  [ -x "$E_BIN" ] || { engine_fail "no $E_BIN (run install first)"; return 1; }
  if [ -n "$(engine_pid "$which")" ] && engine_answers | grep -q "^${E_VERSION//./\\.}"; then
    engine_log "Engine $which already running (pid $(engine_pid "$which"), $(engine_answers))"
    return 0
  fi
  engine_stop || return 1
  engine_conf "$which"
  t0=$(date +%s%N)
  local flags=(
    --host "unix://$ENGINE_SOCKET" --data-root "$E_DATA" --exec-root "$E_EXEC" --pidfile "$E_PID"
  )
  if [ "$which" = 26 ]; then
    # Its own docker-proxy and docker-init when the package has them, else Debian 12's.
    local proxy init
    proxy=$(PATH="$E_PATH" command -v docker-proxy) && flags+=(--userland-proxy-path "$proxy")
    init=$(PATH="$E_PATH" command -v docker-init) && [ -e "$init" ] && flags+=(--init-path "$(readlink -f "$init")")
  fi
  engine_log "starting Engine $which: PATH=$E_PATH $E_BIN ${flags[*]} (log $E_LOG)"
  engine_log "  dockerd: $("$E_BIN" --version)"
  engine_log "  containerd: $(PATH="$E_PATH" command -v containerd) ($(PATH="$E_PATH" containerd --version 2>&1))"
  engine_log "  shim: $(PATH="$E_PATH" command -v containerd-shim-runc-v2)"
  engine_log "  runc: $(PATH="$E_PATH" command -v runc) ($(PATH="$E_PATH" runc --version 2>&1 | head -1))"
  mkdir -p "$(dirname "$E_LOG")"
  printf '\n==== %s Engine %s: %s %s\n' "$(date -u +%FT%TZ)" "$which" "$E_BIN" "${flags[*]}" >>"$E_LOG"
  # Detached, in its own session, holding none of this script's file descriptors (a caller reading our
  # output through a pipe gets its end of file).
  (
    cd / || exit 1
    PATH="$E_PATH" exec setsid nohup "$E_BIN" "${flags[@]}"
  ) </dev/null >>"$E_LOG" 2>&1 &
  for _ in $(seq 1 120); do
    got=$(engine_answers) && [ -n "$got" ] && break
    sleep 0.25
  done
  if [ -z "${got:-}" ]; then
    tail -20 "$E_LOG"
    engine_fail "Engine $which did not answer on $ENGINE_SOCKET within 30 s"
    return 1
  fi
  case "$got" in
    "$E_VERSION"*) ;;
    *)
      engine_fail "Engine $which: the server on $ENGINE_SOCKET says $got"
      return 1
      ;;
  esac
  api=$(docker version --format '{{.Server.APIVersion}}' 2>/dev/null)
  engine_log "Engine $which up in $((($(date +%s%N) - t0) / 1000000)) ms: server $got, API $api, pid $(engine_pid "$which"), data-root $E_DATA"
  docker version --format '  components: {{range .Server.Components}}{{.Name}} {{.Version}}; {{end}}' 2>/dev/null \
    | while read -r line; do engine_log "$line"; done
}

engine_status() {
  local running
  running=$(engine_running)
  engine_log "running: ${running:-none}; server on $ENGINE_SOCKET: $(engine_answers || true)"
  engine_log "docker CLI $(command -v docker) ($(docker version --format '{{.Client.Version}}' 2>/dev/null))"
  engine_log "compose v2: $(docker compose version --short 2>/dev/null || echo none); v1: $(docker-compose version --short 2>/dev/null || echo none)"
}

# -------------------------------------------------------------------------------------------------- cli
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  [ "$(id -u)" = 0 ] || { echo "setup-engine.sh: needs root" >&2; exit 1; }
  case "${1:-}" in
    '') engine_install && engine_start 26 ;;
    install) engine_install ;;
    start) engine_start "${2:-26}" ;;
    stop) engine_stop ;;
    compose) compose_plugin "${2:-v2}" ;;
    status) engine_status ;;
    *)
      sed -n '2,20p' "$0" >&2
      exit 2
      ;;
  esac
fi
