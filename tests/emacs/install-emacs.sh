#!/usr/bin/env bash
# Installs, once, an Emacs 30+ (eglot 1.17 built in) for tests/emacs. Does nothing when one
# is already on PATH. On Debian 12 (Emacs 28 there) it takes emacs-nox from Debian's
# bookworm-backports suite, from the same mirror as the system's own sources; on later
# Debian releases from the release itself.
set -euo pipefail

MINIMUM_MAJOR=30
SOURCES=/etc/apt/sources.list.d/debian.sources
BACKPORTS=/etc/apt/sources.list.d/bookworm-backports.sources

log() { printf '[install-emacs] %s\n' "$*" >&2; }
fail() { log "error: $*"; exit 1; }

emacs_major() {
  command -v emacs >/dev/null || return 1
  emacs --version 2>/dev/null | sed -n 's/^GNU Emacs \([0-9]*\)\..*/\1/p' | head -n 1
}

major=$(emacs_major || true)
if [ -n "$major" ] && [ "$major" -ge "$MINIMUM_MAJOR" ]; then
  exit 0
fi

[ -r /etc/os-release ] || fail "unknown system: install Emacs >= $MINIMUM_MAJOR yourself"
# shellcheck source=/dev/null
. /etc/os-release
[ "${ID:-}" = debian ] || fail "not Debian: install Emacs >= $MINIMUM_MAJOR yourself (found: ${major:-none})"

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || fail "needs root (or sudo) to install emacs-nox"
  sudo=(sudo)
fi

target=()
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
  if [ ! -f "$BACKPORTS" ]; then
    # The mirror the system already uses (first URIs line naming .../debian), never a fixed host.
    mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/\{0,1\}$/\1/p' "$SOURCES" 2>/dev/null | head -n 1)
    [ -n "$mirror" ] || fail "no Debian mirror found in $SOURCES"
    log "adding bookworm-backports from $mirror"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" | "${sudo[@]}" tee "$BACKPORTS" >/dev/null
  fi
  target=(-t bookworm-backports)
fi

log "apt-get install ${target[*]} emacs-nox"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${target[@]}" emacs-nox >/dev/null

major=$(emacs_major || true)
[ -n "$major" ] && [ "$major" -ge "$MINIMUM_MAJOR" ] || fail "emacs-nox installed Emacs ${major:-none}, not >= $MINIMUM_MAJOR"
log "Emacs $major installed"
