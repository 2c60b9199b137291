# shellcheck shell=bash
# Helpers to assemble a tiny root filesystem from the host's own Debian
# binaries and turn it into a Docker image with `docker import` (no registry
# is reachable). Sourced by build-*-image.sh.

# rootfs_init ROOT: an empty merged-/usr layout like Debian 12's.
rootfs_init() {
  local root=$1
  rm -rf "$root"
  mkdir -p "$root"/usr/{bin,sbin,lib,lib64,share} "$root"/{etc,root,tmp,run,var/tmp,dev,proc,sys,home}
  ln -s usr/bin "$root/bin"
  ln -s usr/sbin "$root/sbin"
  ln -s usr/lib "$root/lib"
  ln -s usr/lib64 "$root/lib64"
  ln -s ../run "$root/var/run"
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 700 "$root/root"
  cat >"$root/etc/nsswitch.conf" <<'NSS'
passwd: files
group: files
shadow: files
hosts: files dns
NSS
}

# rootfs_busybox ROOT: /usr/bin/busybox (static) and a link for every applet
# that is not already a real binary in the image.
rootfs_busybox() {
  local root=$1 applet
  cp /bin/busybox "$root/usr/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ $applet == busybox ]] && continue
    [[ -e $root/usr/bin/$applet || -L $root/usr/bin/$applet ]] || ln -s busybox "$root/usr/bin/$applet"
  done
}

# rootfs_libs ROOT FILE...: copy the shared libraries (and the dynamic loader)
# that ldd names for each FILE, at the same paths.
rootfs_libs() {
  local root=$1; shift
  local lib
  while read -r lib; do
    [[ -n $lib && -e $lib ]] || continue
    [[ -e $root$lib ]] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done < <(
    for f in "$@"; do
      # ldd fails on scripts and static binaries; that is fine.
      ldd "$f" 2>/dev/null || true
    done | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u
  )
}

# rootfs_bin ROOT SRC [DEST]: copy a binary (replacing a busybox link of the
# same name) together with its libraries.
rootfs_bin() {
  local root=$1 src=$2 dest=${3:-/usr/bin/$(basename "$2")}
  rm -f "$root$dest"
  mkdir -p "$root$(dirname "$dest")"
  cp -L "$src" "$root$dest"
  rootfs_libs "$root" "$src"
}

# rootfs_import ROOT TAG CHANGE...: import ROOT as image TAG; each CHANGE is a
# Dockerfile instruction for `docker import -c`.
rootfs_import() {
  local root=$1 tag=$2; shift 2
  local args=() c
  for c in "$@"; do args+=(-c "$c"); done
  chmod -R a+rX "$root"
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 700 "$root/root"
  tar --numeric-owner -C "$root" -c . | docker import "${args[@]}" - "$tag" >/dev/null
}
