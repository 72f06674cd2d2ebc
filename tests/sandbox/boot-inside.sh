#!/bin/bash
# Runs as PID 1 of the sandbox's fresh PID, mount, cgroup, network, UTS and IPC namespaces, just
# before it becomes systemd. Everything mounted here is private to the sandbox; the host's /tmp,
# /run, /etc, /var and cgroups are never written (see ../../../shared/design/SANDBOX.md).
#
# Usage: boot-inside.sh STATE_DIR
set -euo pipefail

state=$1
stage=$state/stage
here=$(dirname "$(readlink -f "$0")")

# Nothing mounted here may propagate back to the host.
mount --make-rprivate /

# A private tmpfs holds every upper layer; it vanishes with the namespace.
priv=$state/ns
mkdir -p "$priv"
mount -t tmpfs -o mode=0755 sandbox-private "$priv"

# overlay DIR [EXTRA_LOWER]: writes to DIR land in the private tmpfs.
overlay() {
        local dir=$1 extra=${2:-} name
        name=$(echo "${dir#/}" | tr / _)
        mkdir -p "$priv/$name.upper" "$priv/$name.work"
        local lower=$dir
        if [ -n "$extra" ] && [ -d "$extra" ]; then
                lower=$extra:$dir
        fi
        mount -t overlay "overlay-$name" \
                -o "lowerdir=$lower,upperdir=$priv/$name.upper,workdir=$priv/$name.work" "$dir"
}

# /tmp first: systemd-tmpfiles would otherwise wipe the host's /tmp.
for d in /tmp /var/tmp /run /dev/shm; do
        mount -t tmpfs -o mode=1777,nosuid,nodev "sandbox-${d//\//-}" "$d"
done
chmod 0755 /run

# The build is installed through the stage as a lower layer of /usr and /etc.
overlay /usr "$stage/usr"
overlay /etc "$stage/etc"
overlay /var
overlay /root
overlay /home
mount -t tmpfs -o mode=1777,nosuid,nodev sandbox-var-tmp /var/tmp
# The state directory survives sandbox reboots when the caller asks for it (reboot tests).
if [ -d "$state/persist/var-lib-orchd" ]; then
        mkdir -p /var/lib/orchd
        mount --bind "$state/persist/var-lib-orchd" /var/lib/orchd
fi

# The host's enabled units must not start here: our own unit directory, our own target.
mount -t tmpfs -o mode=0755 sandbox-etc-systemd /etc/systemd/system
cp "$here/orchd-sandbox.target" /etc/systemd/system/
# Units that would touch the kernel's global state (sysctl, binfmt, modules, /dev nodes) or are
# pointless in a container.
for unit in \
        systemd-sysctl.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount \
        proc-sys-fs-binfmt_misc.mount systemd-modules-load.service kmod-static-nodes.service \
        systemd-tmpfiles-setup-dev.service systemd-udevd.service systemd-udev-trigger.service \
        systemd-udev-settle.service systemd-hwdb-update.service systemd-firstboot.service \
        systemd-sysusers.service systemd-repart.service systemd-machine-id-commit.service \
        systemd-random-seed.service systemd-remount-fs.service systemd-pcrphase.service \
        systemd-pcrphase-sysinit.service ldconfig.service dev-hugepages.mount dev-mqueue.mount \
        sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
        sys-fs-fuse-connections.mount systemd-ask-password-console.path \
        systemd-ask-password-wall.path systemd-journald-audit.socket \
        systemd-update-utmp.service systemd-update-utmp-runlevel.service \
        systemd-boot-system-token.service systemd-timesyncd.service apt-daily.timer \
        apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer man-db.timer logrotate.timer \
        dpkg-db-backup.timer systemd-tmpfiles-clean.timer; do
        ln -sf /dev/null "/etc/systemd/system/$unit"
done

# Kernel tunables and /sys are read-only inside, as systemd-nspawn does it; cgroup2 is mounted
# fresh so that the sandbox's cgroup namespace root is its own tree.
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
mount --bind /sys /sys
mount -o remount,bind,ro /sys
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup

# Its own host name, so that its journal and prompts are told apart from the host's.
echo orchd-sandbox > /etc/hostname
hostname orchd-sandbox

exec env -i container=orchd-sandbox PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        /lib/systemd/systemd --system --unit=orchd-sandbox.target --show-status=no \
        --log-target=journal-or-kmsg
