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

# Files stay root-owned and read-only to the worker, which runs as the image's non-root user.
USER node
# Prometheus metrics (TAKEDOWN_METRICS_ADDRESS=0.0.0.0:9464)
EXPOSE 9464
# The worker drains on SIGTERM: it stops polling and lets running activities finish.
STOPSIGNAL SIGTERM
CMD ["node", "lib/worker.js"]
