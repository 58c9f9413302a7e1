# The takedown worker. Build: docker build -t takedown-worker .   (or: docker compose build worker)

# ---- build: compile TypeScript (src/ -> lib/) with the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && node lib/bundle-workflows.js lib/workflow-bundle.js

# ---- runtime: compiled lib/ plus production dependencies only ----
# The workflow bundle is built with the image, so a restarted worker polls again without bundling.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production TAKEDOWN_WORKFLOW_BUNDLE=/app/lib/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/lib ./lib

# Temporal connection: the TEMPORAL_* variables the Temporal CLI reads (src/connection), none
# baked in here: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY (Temporal Cloud),
# TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_CLIENT_CERT_PATH and _KEY_PATH (mTLS),
# TEMPORAL_TLS_SERVER_NAME, or TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE for a mounted TOML file.
# docker-compose.yml sets the mTLS ones and mounts the certificates at /certs.
# Files stay root-owned and read-only to the worker, which runs as the image's non-root user.
USER node
# Prometheus metrics (TAKEDOWN_METRICS_ADDRESS=0.0.0.0:9464)
EXPOSE 9464
# The worker drains on SIGTERM: it stops polling and lets running activities finish.
STOPSIGNAL SIGTERM
CMD ["node", "lib/worker.js"]
