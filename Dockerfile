# syntax=docker/dockerfile:1
# reg-cleaner on Alpine Linux.
#   docker build -t reg-cleaner:alpine .
# Dockerfile.debian is the same recipe on Debian: change both together.
# `npm run image:check` performs this recipe without Docker (scripts/image-check/) and
# test/unit/image/dockerfiles.test.ts keeps the two files in step.

# ---- build: dev dependencies, type check, bundle -> dist/, then drop the dev dependencies -
FROM node:24-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs ./scripts/
COPY src ./src
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

# ---- runtime: package.json, production node_modules, dist/, the example config/ -----------
FROM node:24-alpine
ARG VERSION=dev
ARG REVISION=
LABEL org.opencontainers.image.title="reg-cleaner" \
      org.opencontainers.image.description="Deletes old image tags from Docker / OCI registries according to declared cleanup jobs" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/node:24-alpine"
# tini as PID 1: it forwards SIGTERM/SIGINT to node (which, as PID 1, would not get the
# default handlers) and reaps zombies. `docker stop` then lets reg-cleaner finish gracefully.
RUN apk add --no-cache tini
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
# The code stays root-owned (read-only for the app). Every folder the tool writes by default is
# created here, owned by node and a VOLUME: cache/ (state, lock, undo journal), logs/
# (cleaner.log) and reports/ (the run reports, on by default). A folder missing here makes the
# default command exit 2 as soon as it cannot write it (`npm run image:check` proves the list).
RUN mkdir -p /app/cache /app/logs /app/reports \
  && chown node:node /app/cache /app/logs /app/reports
VOLUME ["/app/cache", "/app/logs", "/app/reports"]
USER node
# The metrics endpoint (README "Monitoring"): /metrics, /healthz, /readyz. The default command
# listens on every interface of the container; publish the port to scrape it.
EXPOSE 9464
# Healthy while the watch scheduler ticks and every job has a next run (/healthz answers 200).
# A small node probe: the image has no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "require('http').get('http://127.0.0.1:9464/healthz', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1)).setTimeout(4000, () => process.exit(1))"
ENTRYPOINT ["/sbin/tini", "--", "node", "dist/main.js"]
CMD ["--watch", "--http-logs", "--metrics-listen", "0.0.0.0:9464"]
