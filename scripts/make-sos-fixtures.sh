#!/usr/bin/env bash
# Builds test/fixtures/sos/ with the real `sos report` (Debian's sosreport package), run against libvirt's test
# driver in a private network, UTS and mount namespace, so the reports hold this script's hosts and nothing of the
# machine that made them. Root only (unshare, ip link add). Keeps only the files src/sos/ reads.
#
#   sudo bash scripts/make-sos-fixtures.sh            # rewrites test/fixtures/sos/
#
# sos-hv01: virsh, libvirt, networking and host plugins: a NAT network on virbr0, a network bridged to br0 (eno1
#           enslaved), an isolated one; vm-nat (running, on the NAT network) and vm-lan (shut off, bridged to br0);
#           libvirtd's persistent definitions in /etc/libvirt/qemu/ (copied by sos's libvirt plugin).
# sos-net01: networking and host plugins only (no virsh): the libvirt facts are unknown.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/test/fixtures/sos"
command -v sos >/dev/null || { echo "sos not found: apt-get install -y sosreport" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root (unshare, ip link add)" >&2; exit 1; }
work=$(mktemp -d /tmp/kna-sos-fixtures.XXXXXX)
trap 'rm -rf "$work"' EXIT

cat >"$work/node.xml" <<'EOF'
<node>
  <network>
    <name>default</name>
    <uuid>5a9c3a4e-7f0d-4b8e-9a51-0c1d2e3f4a01</uuid>
    <forward mode='nat'/>
    <bridge name='virbr0' stp='on' delay='0'/>
    <mac address='52:54:00:0a:00:01'/>
    <ip address='192.168.122.1' netmask='255.255.255.0'>
      <dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp>
    </ip>
  </network>
  <network>
    <name>lan</name>
    <uuid>5a9c3a4e-7f0d-4b8e-9a51-0c1d2e3f4a02</uuid>
    <forward mode='bridge'/>
    <bridge name='br0'/>
  </network>
  <network>
    <name>backplane</name>
    <uuid>5a9c3a4e-7f0d-4b8e-9a51-0c1d2e3f4a03</uuid>
    <bridge name='virbr9' stp='on' delay='0'/>
    <ip address='10.99.0.1' netmask='255.255.255.0'/>
  </network>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>vm-nat</name>
    <uuid>6b1d4f5a-8a1e-4c9f-8b62-1d2e3f4a5b01</uuid>
    <memory unit='MiB'>512</memory>
    <os><type>hvm</type></os>
    <devices>
      <interface type='network'>
        <mac address='52:54:00:aa:00:01'/>
        <source network='default'/>
        <target dev='vnet0'/>
        <model type='virtio'/>
      </interface>
    </devices>
  </domain>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>vm-lan</name>
    <uuid>6b1d4f5a-8a1e-4c9f-8b62-1d2e3f4a5b02</uuid>
    <memory unit='MiB'>512</memory>
    <os><type>hvm</type></os>
    <devices>
      <interface type='bridge'>
        <mac address='52:54:00:aa:00:02'/>
        <source bridge='br0'/>
        <model type='virtio'/>
      </interface>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
</node>
EOF

# The host's links, inside the private namespace: what `ip` shows sos there.
cat >"$work/net.sh" <<'EOF'
set -eu
mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns   # no other namespace for sos's `ip netns` to visit
hostname "$1"
ip link set lo up
# This kernel has no dummy links: eno1 is a veth whose peer (the "switch port") stays unattached, as in test/lab.
# Fixed MACs keep the fixture the same on every run.
ip link add eno1 address 52:54:00:0e:00:01 type veth peer name eno1-sw address 52:54:00:0e:00:02
ip link add br0 address 52:54:00:0b:00:01 type bridge
ip link set eno1 master br0
ip link set eno1 up
ip link set br0 up
ip addr add 198.51.100.10/24 dev br0
ip route add default via 198.51.100.1 dev br0
ip link add virbr0 address 52:54:00:0a:00:01 type bridge
ip link set virbr0 up
ip addr add 192.168.122.1/24 dev virbr0
# libvirt's test driver names a running guest's tap testnet0.
ip tuntap add dev testnet0 mode tap
ip link set testnet0 address fe:54:00:aa:00:01
ip link set testnet0 master virbr0
ip link set testnet0 up
ip link add virbr9 address 52:54:00:09:00:01 type bridge
ip link set virbr9 up
ip addr add 10.99.0.1/24 dev virbr9
# libvirtd's persistent definitions, where it keeps them (the test driver keeps none on disk), for sos's libvirt
# plugin to copy: each domain's `dumpxml --inactive`, each network's XML (the test driver has no --inactive for
# networks). A tmpfs, so the machine's own /etc/libvirt is neither read nor changed.
mount -t tmpfs tmpfs /etc/libvirt
mkdir -p /etc/libvirt/qemu/networks
for d in $(virsh -q list --all --name); do virsh dumpxml --inactive "$d" >"/etc/libvirt/qemu/$d.xml"; done
for n in $(virsh -q net-list --all --name); do virsh net-dumpxml "$n" >"/etc/libvirt/qemu/networks/$n.xml"; done
shift
"$@"
# The same state audited live (the real probe, --local, against the same test driver): the capture the tests
# replay to check that a sosreport audits to the modes a live audit gives.
if [ -n "${KNA_LIVE_CAPTURES:-}" ]; then
  node "$KNA_REPO/bin/kvm-netaudit.js" audit --local --libvirt-uri "$LIBVIRT_DEFAULT_URI" --no-tui \
    --save-captures "$KNA_LIVE_CAPTURES" -o "$KNA_LIVE_CAPTURES/report" --format json >/dev/null 2>&1 || true
fi
EOF

# make HOST PLUGINS: one sosreport of this host, extracted, reduced to the files src/sos/ reads.
make() {
  local host=$1 plugins=$2 live=${3:-} tmp="$work/$1"
  mkdir -p "$tmp"
  KNA_REPO=$repo KNA_LIVE_CAPTURES=$live LIBVIRT_DEFAULT_URI="test://$work/node.xml" unshare --net --uts --mount --propagation private \
    sh "$work/net.sh" "$host" sos report --batch --quiet --only-plugins "$plugins" --tmp-dir "$tmp" --label fixture >/dev/null
  tar -xJf "$tmp"/sosreport-*.tar.xz -C "$tmp"
  local src
  src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'sosreport-*')
  rm -rf "${out:?}/$host"
  mkdir -p "$out/$host"
  (cd "$src" && find hostname version.txt sos_commands/virsh sos_commands/networking etc/libvirt/qemu \
      \( -path 'etc/libvirt/qemu/*.xml' -o -name hostname -o -name version.txt -o -name 'virsh_-r_list_--all' -o -name 'virsh_-r_net-list*' \
         -o -name 'virsh_-r_net-dumpxml_*' -o -name 'virsh_-r_dumpxml_*' -o -name 'virsh_-r_dominfo_*' \
         -o -name 'ip_-s_-d_link' -o -name 'ip_-o_addr' -o -name 'ip_route_show_table_all' -o -name 'brctl_show' \) \
      2>/dev/null || true) | while read -r f; do
    mkdir -p "$out/$host/$(dirname "$f")"
    cp -L "$src/$f" "$out/$host/$f"   # -L: sos's hostname is a symlink into sos_commands/host
  done
}

rm -rf "$out/live" && mkdir -p "$out/live"
make sos-hv01 host,virsh,libvirt,networking "$work/live"
install -m 644 "$work/live/sos-hv01.json" "$out/live/sos-hv01.json"   # saved 0600, as captures are
make sos-net01 host,networking
find "$out" -type f | sort
