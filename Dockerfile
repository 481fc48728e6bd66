# The tracker in one image. Every role is an avt subcommand given as the container's command:
#   docker build -t ai-visibility-tracker .
#   docker run --rm -e DATABASE_URL=... ai-visibility-tracker migrate
#   docker run --rm -e DATABASE_URL=... ai-visibility-tracker worker --ai-source chatgpt --worker-id 1
#   docker run --rm -e DATABASE_URL=... -e AVT_API_TOKEN=... -p 8080:8080 ai-visibility-tracker serve
# Also: mock (the mock platform and LLM), demo, status, report, ... (docker run --rm ai-visibility-tracker --help).
# docs/deploy.md tells how CI builds it on machines that cannot pull base images.

FROM docker.io/library/node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM docker.io/library/node:24-bookworm-slim
# Chromium with fonts for Latin, CJK and emoji answers; Xvfb for `worker --headed`; tini as PID 1 reaps the
# processes Chromium leaves to it and forwards SIGTERM, so the worker's graceful shutdown runs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      chromium fonts-liberation fonts-noto-cjk fonts-noto-color-emoji xvfb tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 avt \
 && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/avt --shell /usr/sbin/nologin avt

WORKDIR /app
COPY --from=dependencies /app/node_modules node_modules
COPY package.json package-lock.json ./
COPY bin bin
COPY scripts/node scripts/node
COPY src src
COPY sql sql
COPY migrations migrations

# SERVE_HOST: reachable from outside the container (avt serve then needs AVT_API_TOKEN). METRICS_PORT: every
# worker serves /metrics, /healthz and /readyz. AVT_DATA_DIR: the demo's embedded database, when no DATABASE_URL.
ENV NODE_ENV=production \
    CHROMIUM_PATH=/usr/bin/chromium \
    SERVE_HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    AVT_DATA_DIR=/home/avt/data
USER 10001:10001
EXPOSE 8080 9464 4010
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["/app/bin/avt", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/app/bin/avt"]
CMD ["--help"]
