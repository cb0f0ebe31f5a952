# The operator's image: Node.js 24 (LTS) runs the operator bundled into one module from the
# TypeScript sources (scripts/bundle.ts: only the code it reaches is loaded, 65 MiB less memory
# than running the sources), with the production dependencies beside it (the IAM catalogue's data
# files, the licences), on a distroless base (no shell, no package manager, no npm), as an
# unprivileged user.
#   docker build -t <registry>/bedrock-forge-operator:0.1.0 .
#   buildah bud -t <registry>/bedrock-forge-operator:0.1.0 .
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# esbuild at the version package.json pins (beside the app: it is a dev dependency, which
# `npm ci --omit=dev` leaves out), then the bundle.
FROM deps AS bundle
RUN npm install --prefix /opt/bundler --no-audit --no-fund "esbuild@$(node -p 'require("./package.json").devDependencies.esbuild')" \
  && ln -s /opt/bundler/node_modules/esbuild node_modules/esbuild
COPY bin ./bin
COPY src ./src
COPY scripts/bundle.ts ./scripts/
RUN node scripts/bundle.ts

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
# glibc's malloc settings of src/cli/node-flags.ts (OPERATOR_MALLOC_ENV).
ENV MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=131072
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=bundle /app/dist ./dist
# The chart runs it as 65532 with a read-only root file system; nothing is written at run time.
USER 65532:65532
# The V8 flags are src/cli/node-flags.ts's (test/unit/node-flags.test.ts keeps them equal).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=8", "--optimize-for-size", "dist/bedrock-forge-operator.mjs"]
CMD ["run"]
