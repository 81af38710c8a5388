# syntax=docker/dockerfile:1
# One image for all of Junction: the gateway or any subgraph, chosen by the first argument
# (deploy/docker-entrypoint.sh lists them).
#
#   docker build -t junction .
#   docker run -e GATEWAY_SECRET=... -e DATABASE_URL=... -e PORT=4001 junction accounts
#
# There is no compile step: the code runs as TypeScript through tsx, a production dependency.

# 1. Every dependency, to check what ships: it type-checks, and supergraph.graphql is current.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run compose -- --check

# 2. Production dependencies only (`dependencies` in package.json, tsx among them).
FROM node:24-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 3. What runs: production dependencies and the checked sources, owned by root, read-only to the app.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
# package.json: its "imports" map (#gateway/*, #lib/*, #tooling/*); tsconfig.json: how tsx compiles; supergraph.yaml and contracts.yaml: composed at start.
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json /app/supergraph.yaml /app/contracts.yaml /app/supergraph.graphql ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/lib ./lib
COPY --from=build /app/tooling ./tooling
COPY --from=build /app/gateway ./gateway
COPY --from=build /app/subgraphs ./subgraphs
COPY --from=build /app/schema ./schema
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/deploy/docker-entrypoint.sh /app/deploy/healthcheck.js ./deploy/

# The official image's "node" user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000

# The gateway, then the accounts, products, inventory and reviews subgraphs (each container runs one).
EXPOSE 4000 4001 4002 4003 4004

HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "deploy/healthcheck.js"]

ENTRYPOINT ["/bin/sh", "deploy/docker-entrypoint.sh"]
CMD ["gateway"]
