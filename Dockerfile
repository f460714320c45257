# Warp Panel container image — see README "Run in a container".
#   docker build -t warp-panel .
# BASE: a Debian bookworm image with Node.js >= 20.19 on PATH (default: Docker Hub's official image).
# BUILD_BASE: where the toolchain stage starts (default: BASE). Tests pass locally made images here,
# since no registry is reachable from them.
ARG BASE=node:20-bookworm-slim
ARG BUILD_BASE=${BASE}

# --- deps: every dependency, with better-sqlite3 compiled from source (python3, make, g++) once ------
FROM ${BUILD_BASE} AS deps
# Packages the base already has are not installed again (a base may come with them).
RUN set -eu; missing=""; \
    for p in python3 make g++; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done; \
    if [ -n "$missing" ]; then \
      apt-get update; apt-get install -y --no-install-recommends $missing; rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
COPY package.json package-lock.json ./
# Build native addons from source against the headers that ship with Node (no download of prebuilt
# binaries or headers): works offline and behind proxies, and the binary matches the runtime's Node.
RUN set -eu; prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"; \
    if [ -f "$prefix/include/node/common.gypi" ]; then export npm_config_nodedir="$prefix"; fi; \
    npm_config_build_from_source=true npm ci --no-audit --no-fund; \
    node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

# --- prod-deps: the same tree without dev dependencies (keeps the compiled better-sqlite3) ----------
FROM deps AS prod-deps
# Then drop what never runs: TypeScript sources/declarations, source maps, the addon's build leftovers.
RUN set -eu; npm prune --omit=dev --no-audit --no-fund; npm cache clean --force; \
    find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' \) -delete; \
    cd node_modules/better-sqlite3; rm -rf deps src build/Release/obj build/Release/obj.target build/Release/.deps \
      build/Release/test_extension.node build/Release/*.a; \
    cd /app; node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

# --- build: server (esbuild bundle → dist/src/server.cjs, its code cache and the dist/src/cli.js loader)
# and web UI (vite → dist/web). The code cache is made by one warm-up start of the built server here, with
# this stage's Node: the runtime base should carry the same Node (a different one only starts slower).
FROM deps AS build
COPY tsconfig.json ./
COPY scripts/build-server.mjs scripts/server-loader.cjs ./scripts/
COPY src ./src
COPY web ./web
RUN npm run build

# --- runtime -------------------------------------------------------------------------------------------
FROM ${BASE} AS runtime
# Set by the release build (`--build-arg VERSION=… --build-arg REVISION=$(git rev-parse HEAD)
# --build-arg SOURCE=<repository URL>`); the defaults describe a local build.
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=
LABEL org.opencontainers.image.title="Warp Panel" \
      org.opencontainers.image.description="Self-hosted control panel for one Docker host published through a Cloudflare Tunnel" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
# git (clones), the Docker CLI (Debian's docker.io) and Compose: v2 where the package source has the
# plugin, else Debian bookworm's docker-compose v1 (the panel detects which one works), tini (PID 1).
# RUNTIME_PACKAGES can name others, e.g. "docker-ce-cli docker-compose-plugin" with Docker's apt source.
ARG RUNTIME_PACKAGES="ca-certificates git tini docker.io docker-compose"
# The panel talks to the host's engine: skip the engine binaries docker.io brings (dockerd,
# containerd, runc: ~250 MB) and docs, through dpkg's documented path filters.
RUN set -eu; \
    printf '%s\n' 'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright' \
      'path-exclude=/usr/share/man/*' 'path-exclude=/usr/sbin/dockerd' 'path-exclude=/usr/sbin/docker-proxy' \
      'path-exclude=/usr/bin/dnet' 'path-exclude=/usr/sbin/ovrouter' 'path-exclude=/usr/bin/containerd*' \
      'path-exclude=/usr/bin/ctr' 'path-exclude=/usr/sbin/runc' > /etc/dpkg/dpkg.cfg.d/warp-slim; \
    missing=""; \
    for p in $RUNTIME_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done; \
    if [ -n "$missing" ]; then \
      apt-get update; apt-get install -y --no-install-recommends $missing; rm -rf /var/lib/apt/lists/*; \
    fi; \
    groupadd --system --gid 10001 warp; \
    useradd --system --uid 10001 --gid warp --home-dir /home/warp --create-home --shell /usr/sbin/nologin warp; \
    mkdir -p /data; chown warp:warp /data

WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./

# Non-root: Docker socket access comes from the socket's group, added at run time
# (`--group-add <gid of /var/run/docker.sock>`, compose: DOCKER_GID) — see README.
USER warp
ENV NODE_ENV=production HOME=/home/warp WARP_DATA_DIR=/data
VOLUME ["/data"]
# No curl in the image: Node's fetch asks /healthz on the address the panel listens on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env,h=!e.WARP_HOST||e.WARP_HOST==='0.0.0.0'||e.WARP_HOST==='::'?'127.0.0.1':e.WARP_HOST;fetch('http://'+(h.includes(':')?'['+h+']':h)+':'+(e.WARP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# A small young generation: an idle panel holds ~15 MB less, at the cost of a few more minor GCs.
ENTRYPOINT ["tini", "--", "node", "--max-semi-space-size=2", "dist/src/cli.js"]
CMD ["serve"]
