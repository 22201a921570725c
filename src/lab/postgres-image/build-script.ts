/** The tag under which the lab builds its PostgreSQL image (postgres.image in a lab's cluster file). */
export const LAB_POSTGRES_IMAGE = 'localhost/mailctl/postgres:17';

/** Where the image keeps the entrypoint, as the official image does. */
const ENTRYPOINT_PATH = '/usr/local/bin/docker-entrypoint.sh';

/**
 * The postgres user's uid and gid in the image: the official postgres:17-alpine's, so that
 * the data directory apply prepares (owned by that id) suits either image.
 */
const POSTGRES_ID = 70;

/**
 * Packages the dependency closure drags in that the server never runs: Debian's cluster
 * wrappers (Perl), locale archives (glibc's built-in C.UTF-8 is what initdb gets), LLVM for
 * the optional JIT (PostgreSQL falls back to interpreting when llvmjit.so is absent, jit's
 * documented behaviour), and what only maintainer scripts use. Each would be copied
 * whole by podman's vfs driver at every container start.
 */
const SKIPPED = [
  'adduser',
  'cdebconf',
  'debconf',
  'libllvm19',
  'libperl5.40',
  'libz3-4',
  'locales',
  'locales-all',
  'perl',
  'perl-modules-5.40',
  'postgresql-common',
  'postgresql-common-dev',
  'ssl-cert',
  'ucf',
];

/**
 * A shell script, run as root on a lab host, that builds PostgreSQL 17's image with buildah
 * from Debian 13's packages alone, with no registry and no network: the server's
 * dependency closure as apt resolves it, each package's files taken from the root's apt
 * cache (what `lab build` prefetched) or, for the base system that debootstrap installed
 * and left no .deb of, from the host's own installed files (dpkg -L). No maintainer script
 * runs: the image needs the postgres user and nothing else they do.
 */
export function postgresImageScript(entrypoint: string, tag = LAB_POSTGRES_IMAGE): string {
  const skip = SKIPPED.join(' ');
  return `set -eu
export DEBIAN_FRONTEND=noninteractive
# buildah and podman from the apt cache (apply installs podman too, for the unit).
if ! command -v buildah >/dev/null || ! command -v podman >/dev/null; then
  apt-get install -y -q --no-install-recommends buildah podman >/dev/null
fi
# The lab's root is an overlayfs, on which podman's overlay driver refuses to stack ("not
# supported over overlayfs, a mount_program is required"; fuse-overlayfs is not in the
# cache): vfs, for buildah and podman alike, which copies an image's files for each container.
if [ ! -e /etc/containers/storage.conf ]; then
  printf '[storage]\\ndriver = "vfs"\\nrunroot = "/run/containers/storage"\\ngraphroot = "/var/lib/containers/storage"\\n' \\
    >/etc/containers/storage.conf
fi
pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \\
  --no-replaces --no-enhances postgresql-17 dash coreutils util-linux | grep '^[a-z0-9]' | sort -u)
ctr=$(buildah from --quiet scratch)
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
mnt=$(buildah mount "$ctr")
# Debian 13's merged /usr: packages that still ship /bin or /lib paths land in /usr.
mkdir -p "$mnt/usr/bin" "$mnt/usr/sbin" "$mnt/usr/lib" "$mnt/usr/lib64" "$mnt/etc" "$mnt/tmp"
for d in bin sbin lib lib64; do ln -s "usr/$d" "$mnt/$d"; done
chmod 1777 "$mnt/tmp"
for p in $pkgs; do
  case " ${skip} " in *" $p "*) continue ;; esac
  deb=$(ls -v /var/cache/apt/archives/"$p"_*.deb 2>/dev/null | tail -n 1)
  if [ -n "$deb" ]; then
    dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$mnt"
  elif dpkg-query -W -f '\${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
    dpkg-query -L "$p" | while read -r f; do
      if [ -L "$f" ] || [ -f "$f" ]; then echo "\${f#/}"; fi
    done | tar -c -C / --no-recursion --ignore-failed-read -T - 2>/dev/null |
      tar -x --keep-directory-symlink -C "$mnt"
  fi
  # Neither: an alternative apt resolved another way (a | b), or nothing to copy.
done
rm -rf "$mnt/usr/share/doc" "$mnt/usr/share/man" "$mnt/usr/share/locale" \\
  "$mnt/usr/lib/postgresql/17/lib/llvmjit.so" "$mnt/usr/lib/postgresql/17/lib/bitcode"
printf 'root:x:0:0:root:/root:/bin/sh\\npostgres:x:${POSTGRES_ID}:${POSTGRES_ID}:PostgreSQL:/var/lib/postgresql:/bin/sh\\n' >"$mnt/etc/passwd"
printf 'root:x:0:\\npostgres:x:${POSTGRES_ID}:\\n' >"$mnt/etc/group"
mkdir -p "$mnt/var/lib/postgresql/data" "$mnt/run/postgresql" "$mnt/docker-entrypoint-initdb.d" \\
  "$mnt/usr/local/bin"
chown -R ${POSTGRES_ID}:${POSTGRES_ID} "$mnt/var/lib/postgresql" "$mnt/run/postgresql"
cat >"$mnt${ENTRYPOINT_PATH}" <<'MAILCTL_ENTRYPOINT'
${entrypoint.trimEnd()}
MAILCTL_ENTRYPOINT
chmod 755 "$mnt${ENTRYPOINT_PATH}"
buildah unmount "$ctr" >/dev/null
# The official image's configuration: its entrypoint, PGDATA, port, and SIGINT (PostgreSQL's
# fast shutdown) as the stop signal.
buildah config --entrypoint '["${ENTRYPOINT_PATH}"]' --cmd '[]' \\
  --env PGDATA=/var/lib/postgresql/data --env LANG=C.UTF-8 \\
  --env PATH=/usr/lib/postgresql/17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
  --port 5432 --stop-signal SIGINT --volume /var/lib/postgresql/data \\
  --label org.opencontainers.image.title='PostgreSQL 17 from Debian 13 (mailctl lab)' "$ctr"
buildah commit --quiet --rm "$ctr" '${tag}' >/dev/null
trap - EXIT
podman image inspect --format '{{.Id}} {{.Size}}' '${tag}'
`;
}
