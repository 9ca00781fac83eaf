#!/usr/bin/env bash
# Installs what is missing on a fresh machine: npm packages and the built browser
# app, the pinned LiveKit server (built from the Go module proxy into .local/bin),
# and Debian's redis-server, Chromium and Firefox ESR (for the end-to-end tests).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# 1. npm packages (workspaces). Reinstall when the lock file changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
# 1b. The browser app (client/dist): type-checked and built with Vite; the server serves it, the e2e tests drive it.
npm run build --workspace @alcove/client --silent

# 2. LiveKit server, pinned in infra/livekit/VERSION.
version=$(tr -d '[:space:]' < infra/livekit/VERSION)
target=".local/bin/livekit-server-${version}"
if [ ! -x "$target" ]; then
  mkdir -p .local/bin
  if command -v livekit-server >/dev/null 2>&1 && livekit-server --version 2>/dev/null | grep -q "${version#v}\$"; then
    log "using livekit-server ${version} from PATH"
    ln -sf "$(command -v livekit-server)" "$target"
  else
    command -v go >/dev/null 2>&1 || { echo "setup: Go is needed to build livekit-server ${version}" >&2; exit 1; }
    log "building livekit-server ${version} with go install (first build takes a few minutes)"
    gobin="$PWD/.local/gobin"
    GOBIN="$gobin" GOFLAGS=-buildvcs=false go install "github.com/livekit/livekit-server/cmd/server@${version}"
    mv "$gobin/server" "$target"
    rmdir "$gobin" 2>/dev/null || true
  fi
fi

# 3. Debian packages: redis-server (the local stack, and tests that stop and restart their own
#    Redis), Chromium (driven by playwright-core) and Firefox ESR (driven by puppeteer-core) for the
#    end-to-end tests; never a downloaded browser.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
# The production rehearsal (npm run rehearse): Caddy as the TLS front, nft for NAT and firewalls,
# certutil to make Chromium trust the rehearsal's CA.
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
command -v nft >/dev/null 2>&1 || missing+=(nftables)
command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log "ready (livekit-server ${version}, node $(node --version))"
