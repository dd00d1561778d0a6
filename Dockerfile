# VENTRA in one image: Bun (installed from npm, the same version the tests run), Debian's
# Chromium for the weekly-buyers browser reading, and the PostgreSQL 15 client tools for
# scripts/backup.ts. Migrations are applied by the service itself when it starts.
FROM node:22-bookworm-slim

# tini runs as PID 1: it forwards SIGTERM to the service and reaps Chromium's child processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium tini ca-certificates postgresql-client \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data \
    CHROMIUM_PATH=/usr/bin/chromium

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY drizzle ./drizzle
COPY src ./src
COPY scripts ./scripts
COPY tsconfig.json ./

# PGlite's files and the backups live in /data; mount a volume there when DATABASE_URL is unset.
RUN mkdir -p /data \
 && chown node:node /data
USER node

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node_modules/.bin/bun", "run", "src/index.ts"]
