# The operator's image: Node.js 24 (LTS) runs the TypeScript sources directly (type stripping),
# with the production dependencies only, on a distroless base (no shell, no package manager, no
# npm), as an unprivileged user.
#   docker build -t <registry>/bedrock-forge-operator:0.1.0 .
#   buildah bud -t <registry>/bedrock-forge-operator:0.1.0 .
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# The chart runs it as 65532 with a read-only root file system; nothing is written at run time.
USER 65532:65532
# The V8 flags are src/cli/node-flags.ts's (test/unit/node-flags.test.ts keeps them equal).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=8", "bin/bedrock-forge-operator.js"]
CMD ["run"]
