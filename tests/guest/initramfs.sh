# The guest's initramfs, made on this host, and debootstrap's second stage
# run in the guest for hosts that cannot run i386 code (a kernel with ia32
# emulation off says "Exec format error" to every i386 binary, and linux32
# does not help). Sourced by run.sh, which has sourced
# tests/integration/lib.sh; uses its W, here, T_STAGE2, step, fail_now,
# remove_tree.
#
# Nothing here runs i386 code on the host: it unpacks .deb files
# (dpkg-deb -x), resolves the dependencies of the kernel's modules (depmod,
# modprobe --show-depends: they read files), packs an initramfs (cpio) and
# an ext4 image (mkfs.ext4 -d), and copies the root back from a read-only
# loop mount.

# The kernel modules that reach an ext4 root on a virtio disk, with what
# they depend on; the 686-pae kernel builds all of them as modules.
BOOT_MODULES="virtio_pci virtio_blk ext4"

# elf_class FILE: 01 for a 32-bit ELF, 02 for a 64-bit one.
elf_class() {
  od -An -tx1 -j4 -N1 "$1" | tr -d ' '
}

# make_initramfs SRC OUT: an initramfs of SRC's static busybox
# (bin/busybox, from busybox-static), the modules of BOOT_MODULES from
# SRC's 686-pae kernel (lib/modules), and initramfs-init.sh as /init; SRC
# is the root or the .deb files unpacked. Sets boot_kernel, SRC's kernel.
make_initramfs() {
  local src=$1 out=$2 tree=$W/initramfs v m
  boot_kernel=$(ls "$src"/boot/vmlinuz-*-686-pae 2>/dev/null | tail -n 1)
  [ -n "$boot_kernel" ] || fail_now "a 686-pae kernel in $src/boot"
  v=${boot_kernel##*/vmlinuz-}
  [ "$(elf_class "$src/bin/busybox")" = 01 ] || fail_now "$src/bin/busybox is a 32-bit ELF (busybox-static)"
  # The root's modules.dep was written by its own depmod; an unpacked
  # kernel has none yet.
  [ -f "$src/lib/modules/$v/modules.dep" ] || depmod -b "$src" "$v" ||
    fail_now "depmod over the unpacked $v kernel"
  rm -rf --one-file-system "$tree"
  mkdir -p "$tree/bin" "$tree/dev" "$tree/proc" "$tree/sys" "$tree/root" "$tree/lib/modules"
  # modprobe reads modules.dep and modules.softdep (ext4 asks for crc32c
  # first) and prints insmod lines in load order, loading nothing.
  for m in $BOOT_MODULES; do
    modprobe -d "$src" -S "$v" --show-depends "$m" ||
      fail_now "modprobe --show-depends $m over the $v kernel in $src"
  done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$W/initramfs.modules"
  grep -q '/ext4\.ko$' "$W/initramfs.modules" ||
    fail_now "ext4 is a module of the 686-pae kernel ($(tr '\n' ' ' <"$W/initramfs.modules"))"
  # Debian 12 does not compress its modules; busybox's insmod needs them
  # plain.
  ! grep -v '\.ko$' "$W/initramfs.modules" || fail_now "the kernel's modules are plain .ko files"
  while read -r m; do
    cp "$m" "$tree/lib/modules/"
    echo "${m##*/}"
  done <"$W/initramfs.modules" >"$tree/modules"
  cp "$src/bin/busybox" "$tree/bin/busybox"
  cp "$here/initramfs-init.sh" "$tree/init"
  chmod 755 "$tree/init" "$tree/bin/busybox"
  # The kernel reads an uncompressed newc archive as it is.
  (cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out" ||
    fail_now "cpio of the guest's initramfs"
  rm -rf --one-file-system "$tree"
}

# second_stage_in_guest DIR: debootstrap's second stage of the first-stage
# root DIR, run by the guest's kernel on an ext4 image of DIR (the kernel
# and busybox unpacked from the .deb files the first stage downloaded);
# DIR is then replaced by what the image holds.
second_stage_in_guest() {
  local dir=$1 img=$W/stage2.img mnt=$W/stage2.mnt debs=$W/stage2.debs qemu_rc=0 mb deb f
  local archives=$dir/var/cache/apt/archives
  rm -rf --one-file-system "$debs"
  mkdir -p "$debs"
  # linux-image-686-pae is the metapackage; the kernel's own package has
  # its version in its name.
  for deb in "linux-image-[0-9]*-686-pae" busybox-static; do
    f=$(ls "$archives"/${deb}_*_i386.deb 2>/dev/null | tail -n 1)
    [ -n "$f" ] || fail_now "debootstrap downloaded $deb into $archives"
    dpkg-deb -x "$f" "$debs" || fail_now "dpkg-deb -x $f"
  done
  make_initramfs "$debs" "$W/stage2.initrd"
  cp "$boot_kernel" "$W/stage2.vmlinuz"
  rm -rf --one-file-system "$debs"
  # Room for what the second stage unpacks: the .deb files are about a
  # third of it.
  mb=$(($(du -sm "$dir" | cut -f1) * 3 + 512))
  mkfs.ext4 -q -F -L lowmem-root -d "$dir" "$img" "${mb}M" >"$W/stage2.mkfs.log" 2>&1 ||
    fail_now "mkfs.ext4 of the first-stage root" "$W/stage2.mkfs.log"
  step "second stage in the guest (qemu-system-i386, TCG)"
  timeout -k 10 "$T_STAGE2" qemu-system-i386 \
    -accel tcg,thread=multi -cpu max,-arch-capabilities -smp 2 -m 2048 \
    -kernel "$W/stage2.vmlinuz" -initrd "$W/stage2.initrd" \
    -append "console=ttyS0 panic=1 quiet mitigations=off lowmem.boot=second-stage" \
    -drive "file=$img,format=raw,if=virtio" \
    -nodefaults -display none -serial "file:$W/stage2.console" -monitor none \
    -nic none -no-reboot >"$W/stage2.qemu.log" 2>&1 || qemu_rc=$?
  step "second stage ended (qemu exit $qemu_rc)"
  grep '^lowmem-boot: ' "$W/stage2.console" | sed 's/^/#   /' || true
  [ "$qemu_rc" = 0 ] && grep -q '^lowmem-boot: [0-9]* second-stage exit 0' "$W/stage2.console" ||
    fail_now "debootstrap's second stage in the guest (qemu exit $qemu_rc, within ${T_STAGE2}s)" \
      "$W/stage2.console"

  # A loop mount keeps all that mkfs.ext4 -d put in and dpkg made: owners,
  # modes, hard links, symbolic links, device nodes.
  mkdir -p "$mnt"
  mount -o loop,ro -t ext4 "$img" "$mnt" ||
    fail_now "loop mount of the second stage's root image (loop devices)"
  if ! { remove_tree "$dir" && mkdir "$dir" && cp -a "$mnt/." "$dir/"; }; then
    umount "$mnt"
    fail_now "copy the root back from the second stage's image"
  fi
  umount "$mnt"
  rm -rf --one-file-system "$dir/lost+found" "$mnt"
  rm -f "$img" "$W/stage2.initrd" "$W/stage2.vmlinuz"
}
