#!/usr/bin/env bash
# Regenerate test/fixtures/parse/: REAL outputs of iproute2, bridge-utils and virsh (libvirt's test driver),
# and whole probe runs, for the parser tests. Nothing in those folders is written by hand.
#
# Needs root (network namespaces), iproute2, bridge-utils, libvirt-clients, util-linux (unshare), node + the
# repo's devDependencies (tsc compiles src/probe to a temp dir). Usage: sudo scripts/capture-parse-fixtures.sh
#
# Everything it creates is named kna-h2-*: two network namespaces (the lab host and the far end of its
# "uplink"), links inside them only, and the work folder /tmp/kna-h2-capture. Addresses are all in
# 198.18.0.0/15 (or loopback); IPv6 is turned off on the lab links so no link-local traffic is generated.
# The work folder path is fixed on purpose: it shows up in the virsh URIs recorded in the probe captures.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then echo "capture-parse-fixtures: needs root (network namespaces)" >&2; exit 1; fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/test/fixtures/parse
WORK=/tmp/kna-h2-capture
NS=kna-h2-fx
WAN=kna-h2-fxwan
# Fixed so that regenerated captures diff cleanly; any 32 hex characters would do.
NONCE=6b6e612d68322d666978747572657321
EVIL=$'evil\e[31m'

cleanup() {
  ip netns del "$NS" 2>/dev/null || true
  ip netns del "$WAN" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cleanup # leftovers of an interrupted run

in_ns() { ip netns exec "$NS" "$@"; }

# ─────────────── the lab host: bridges, veths, taps, macvtap, vxlan, a hostile name ───────────────
build_lab() {
  ip netns add "$NS"
  ip netns add "$WAN"
  in_ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS" link set lo up # keeps 127.0.0.1 and ::1: real IPv6 in `ip addr` without leaving loopback

  # br0: a bridge with an "uplink" (veth whose peer lives in another namespace), a guest tap, a patch cable.
  ip -n "$NS" link add br0 type bridge
  ip -n "$NS" link add uplink0 type veth peer name wan0 netns "$WAN"
  ip -n "$NS" link set uplink0 master br0
  ip -n "$NS" tuntap add dev vnet0 mode tap
  ip -n "$NS" link set vnet0 master br0
  # br2: the other end of the patch cable, and the link with an escape sequence in its name.
  ip -n "$NS" link add br2 type bridge
  ip -n "$NS" link add patch0 type veth peer name patch1
  ip -n "$NS" link set patch0 master br0
  ip -n "$NS" link set patch1 master br2
  ip -n "$NS" link add "$EVIL" type veth peer name evilpeer
  ip -n "$NS" link set "$EVIL" master br2
  # br1: a bridge with no ports at all (host-only).
  ip -n "$NS" link add br1 type bridge
  # br3: a tunnel port (no remote, so it never sends anything).
  ip -n "$NS" link add br3 type bridge
  ip -n "$NS" link add vx0 type vxlan id 42 dstport 4789 local 198.18.10.1
  ip -n "$NS" link set vx0 master br3
  # virbr0: what libvirt's default network looks like, with a guest tap.
  ip -n "$NS" link add virbr0 type bridge
  ip -n "$NS" tuntap add dev vnet1 mode tap
  ip -n "$NS" link set vnet1 master virbr0
  # eth1: a stand-in NIC (veth) carrying a macvtap and a macvlan.
  ip -n "$NS" link add eth1 type veth peer name eth1-wan netns "$WAN"
  ip -n "$NS" link add link eth1 name mvt0 type macvtap mode vepa
  ip -n "$NS" link add link eth1 name mvl0 type macvlan mode bridge
  # tun0: a layer-3 tun device, in no bridge.
  ip -n "$NS" tuntap add dev tun0 mode tun

  for l in br0 uplink0 vnet0 br1 br2 patch0 patch1 br3 vx0 virbr0 vnet1 eth1 mvt0; do ip -n "$NS" link set "$l" up; done
  ip -n "$WAN" link set wan0 up
  ip -n "$NS" addr add 198.18.10.1/24 dev br0
  ip -n "$NS" addr add 198.18.10.2/24 dev br0
  ip -n "$NS" addr add 198.18.11.1/24 dev br1
  ip -n "$NS" addr add 198.18.20.1/24 dev virbr0
  ip -n "$NS" addr add 198.18.12.1/24 dev eth1
  ip -n "$NS" route add default via 198.18.10.254 dev br0
  ip -n "$NS" route add default via 198.18.12.254 dev eth1 metric 200
  # A multipath default: its devices are only listed under "nexthops".
  ip -n "$NS" route add default metric 300 nexthop via 198.18.11.254 dev br1 nexthop via 198.18.10.253 dev br0
}

capture_host_tools() {
  mkdir -p "$OUT/ip"
  in_ns ip -j -d link show >"$OUT/ip/ip-link.json"
  in_ns ip -j addr show >"$OUT/ip/ip-addr.json"
  in_ns ip -j route show default >"$OUT/ip/ip-route.json"
  in_ns ip -o -d link show >"$OUT/ip/ip-link-oneline.txt"
  in_ns ip -o addr show >"$OUT/ip/ip-addr-oneline.txt"
  in_ns ip -o route show default >"$OUT/ip/ip-route-oneline.txt"
  in_ns brctl show >"$OUT/ip/brctl-show.txt"
  in_ns bridge -j link show >"$OUT/ip/bridge-link.json"
}

# ─────────────── libvirt test driver: networks of every forward mode, domains with every interface type ───────────────
write_node_xml() {
  mkdir -p "$OUT/virsh"
  cat >"$OUT/virsh/node.xml" <<'EOF'
<node>
  <cpu><mhz>4000</mhz></cpu>
  <network>
    <name>default</name>
    <uuid>0b1e5c1a-0000-4000-8000-000000000001</uuid>
    <forward mode='nat'>
      <nat ipv6='yes'>
        <address start='198.18.30.1' end='198.18.30.10'/>
        <port start='1024' end='65535'/>
      </nat>
    </forward>
    <bridge name='virbr0' stp='on' delay='0'/>
    <ip address='198.18.20.1' netmask='255.255.255.0'>
      <dhcp>
        <range start='198.18.20.100' end='198.18.20.199'/>
        <range start='198.18.20.200' end='198.18.20.250'/>
        <host mac='52:54:00:00:00:01' name='web01' ip='198.18.20.5'/>
        <host mac='52:54:00:00:00:02' name='db02' ip='198.18.20.6'/>
      </dhcp>
    </ip>
    <ip family='ipv6' address='2001:db8:ca2:2::1' prefix='64'/>
  </network>
  <network>
    <name>routed</name>
    <uuid>0b1e5c1a-0000-4000-8000-000000000002</uuid>
    <forward mode='route' dev='eth1'/>
    <bridge name='virbr1'/>
    <ip address='198.18.21.1' prefix='24'/>
  </network>
  <network>
    <name>open</name>
    <uuid>0b1e5c1a-0000-4000-8000-000000000003</uuid>
    <forward mode='open'/>
    <bridge name='virbr2'/>
    <ip address='198.18.22.1' prefix='24'/>
  </network>
  <network>
    <name>isolated</name>
    <uuid>0b1e5c1a-0000-4000-8000-000000000004</uuid>
    <bridge name='virbr3'/>
    <ip address='198.18.23.1' netmask='255.255.255.128'/>
  </network>
  <network>
    <name>host-bridge</name>
    <uuid>0b1e5c1a-0000-4000-8000-000000000005</uuid>
    <forward mode='bridge'/>
    <bridge name='br0'/>
  </network>
  <network>
    <name>macvtap-vepa</name>
    <uuid>0b1e5c1a-0000-4000-8000-000000000006</uuid>
    <forward mode='vepa'>
      <interface dev='eth1'/>
      <interface dev='eth2'/>
    </forward>
  </network>
  <network>
    <name>macvtap-bridge</name>
    <uuid>0b1e5c1a-0000-4000-8000-000000000007</uuid>
    <forward mode='bridge' dev='eth1'>
      <interface dev='eth1'/>
    </forward>
  </network>
  <network>
    <name>passthrough</name>
    <uuid>0b1e5c1a-0000-4000-8000-000000000008</uuid>
    <forward mode='passthrough'>
      <interface dev='eth3'/>
      <interface dev='eth4'/>
    </forward>
  </network>
  <network>
    <name>sriov-pool</name>
    <uuid>0b1e5c1a-0000-4000-8000-000000000009</uuid>
    <forward mode='hostdev' managed='yes'>
      <address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x1'/>
      <address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x3'/>
    </forward>
  </network>
  <network>
    <name>sriov-pf</name>
    <uuid>0b1e5c1a-0000-4000-8000-00000000000a</uuid>
    <forward mode='hostdev' managed='yes'>
      <pf dev='eth5'/>
    </forward>
  </network>
  <network>
    <name>ovs-net</name>
    <uuid>0b1e5c1a-0000-4000-8000-00000000000b</uuid>
    <forward mode='bridge'/>
    <bridge name='ovsbr0'/>
    <virtualport type='openvswitch'/>
    <vlan><tag id='10'/></vlan>
    <portgroup name='trunk' default='yes'>
      <vlan trunk='yes'><tag id='20'/><tag id='30'/></vlan>
    </portgroup>
    <portgroup name='dmz'>
      <vlan><tag id='40'/></vlan>
    </portgroup>
  </network>
  <network>
    <name>lab net; $(id) &amp; &lt;x&gt;</name>
    <uuid>0b1e5c1a-0000-4000-8000-00000000000c</uuid>
    <bridge name='virbr9'/>
  </network>
  <domain type='test'>
    <name>web01</name>
    <uuid>d0e1a1b2-0000-4000-8000-000000000001</uuid>
    <memory>1048576</memory>
    <os><type>hvm</type></os>
    <devices>
      <interface type='network'>
        <mac address='52:54:00:00:00:01'/>
        <source network='default'/>
        <model type='virtio'/>
      </interface>
      <interface type='bridge'>
        <mac address='52:54:00:00:01:01'/>
        <source bridge='br0'/>
        <target dev='vnet0'/>
        <model type='e1000'/>
        <link state='down'/>
      </interface>
      <interface type='bridge'>
        <mac address='52:54:00:00:01:02'/>
        <source bridge='ovsbr0'/>
        <virtualport type='openvswitch'/>
        <vlan trunk='yes'><tag id='20'/><tag id='30' nativeMode='untagged'/></vlan>
        <model type='virtio'/>
      </interface>
      <interface type='network'>
        <mac address='52:54:00:00:01:03'/>
        <source network='ovs-net' portgroup='dmz'/>
        <model type='virtio'/>
      </interface>
      <interface type='direct'>
        <mac address='52:54:00:00:01:04'/>
        <source dev='eth1' mode='vepa'/>
        <model type='virtio'/>
      </interface>
      <interface type='hostdev' managed='yes'>
        <mac address='52:54:00:00:01:05'/>
        <source>
          <address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x1'/>
        </source>
        <vlan><tag id='42'/></vlan>
      </interface>
      <hostdev mode='subsystem' type='pci' managed='yes'>
        <source>
          <address domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
        </source>
      </hostdev>
    </devices>
  </domain>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>db 02 "quoted" &amp; &lt;x&gt;</name>
    <uuid>d0e1a1b2-0000-4000-8000-000000000002</uuid>
    <memory>1048576</memory>
    <os><type>hvm</type></os>
    <devices>
      <interface type='network'>
        <mac address='52:54:00:00:00:02'/>
        <source network='lab net; $(id) &amp; &lt;x&gt;'/>
      </interface>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>misc03</name>
    <uuid>d0e1a1b2-0000-4000-8000-000000000003</uuid>
    <memory>1048576</memory>
    <os><type>hvm</type></os>
    <devices>
      <interface type='user'><mac address='52:54:00:00:03:01'/><model type='rtl8139'/></interface>
      <interface type='vhostuser'>
        <mac address='52:54:00:00:03:02'/>
        <source type='unix' path='/run/vhost/sock0' mode='server'/>
        <model type='virtio'/>
      </interface>
      <interface type='ethernet'><mac address='52:54:00:00:03:03'/><target dev='tap7' managed='no'/></interface>
      <interface type='mcast'><mac address='52:54:00:00:03:04'/><source address='239.255.0.1' port='5558'/></interface>
      <interface type='udp'>
        <mac address='52:54:00:00:03:05'/>
        <source address='198.18.40.1' port='5511'><local address='198.18.40.2' port='5512'/></source>
      </interface>
      <interface type='server'><mac address='52:54:00:00:03:06'/><source address='198.18.40.3' port='5559'/></interface>
      <interface type='client'><mac address='52:54:00:00:03:07'/><source address='198.18.40.3' port='5559'/></interface>
      <interface type='null'><mac address='52:54:00:00:03:08'/></interface>
      <interface type='vdpa'><mac address='52:54:00:00:03:09'/><source dev='/dev/vhost-vdpa-0'/></interface>
      <interface type='vds'>
        <mac address='52:54:00:00:03:0a'/>
        <source switchid='12345678-1234-1234-1234-123456789abc' portid='5' portgroupid='pg-5' connectionid='42'/>
      </interface>
      <interface type='network'><mac address='52:54:00:00:03:0b'/><source network='sriov-pool'/></interface>
    </devices>
    <test:runstate>3</test:runstate>
  </domain>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>transient04</name>
    <uuid>d0e1a1b2-0000-4000-8000-000000000004</uuid>
    <memory>1048576</memory>
    <os><type>hvm</type></os>
    <devices>
      <interface type='network'><mac address='52:54:00:00:04:01'/><source network='isolated'/></interface>
    </devices>
    <test:transient/>
  </domain>
</node>
EOF
  # A domain without <uuid> gets a new random UUID on every connection: listed by one virsh process, it is
  # gone for the next one, which is exactly how a VM undefined between `list` and `dumpxml` looks.
  cat >"$OUT/virsh/node-vanishing.xml" <<'EOF'
<node>
  <cpu><mhz>4000</mhz></cpu>
  <network>
    <name>default</name>
    <uuid>0b1e5c1a-0000-4000-8000-000000000001</uuid>
    <forward mode='nat'/>
    <bridge name='virbr0'/>
    <ip address='198.18.20.1' prefix='24'/>
  </network>
  <domain type='test'>
    <name>stays</name>
    <uuid>d0e1a1b2-0000-4000-8000-000000000005</uuid>
    <memory>1048576</memory>
    <os><type>hvm</type></os>
    <devices>
      <interface type='network'><mac address='52:54:00:00:05:01'/><source network='default'/></interface>
    </devices>
  </domain>
  <domain type='test'>
    <name>vanishes</name>
    <memory>1048576</memory>
    <os><type>hvm</type></os>
  </domain>
</node>
EOF
  cp "$OUT/virsh/node.xml" "$OUT/virsh/node-vanishing.xml" "$WORK/"
}

# capture_virsh KIND SLUG UUID: one object's XML, in a file named after a readable slug.
capture_virsh() {
  local kind=$1 slug=$2 uuid=$3 uri="test://$WORK/node.xml"
  if [ "$kind" = net ]; then
    virsh -q -r -c "$uri" net-dumpxml "$uuid" >"$OUT/virsh/net-dumpxml.$slug.xml"
  else
    virsh -q -r -c "$uri" dumpxml "$uuid" >"$OUT/virsh/dumpxml.$slug.xml"
  fi
}

capture_virsh_objects() {
  local n=0000000000
  capture_virsh net default 0b1e5c1a-0000-4000-8000-${n}01
  capture_virsh net routed 0b1e5c1a-0000-4000-8000-${n}02
  capture_virsh net open 0b1e5c1a-0000-4000-8000-${n}03
  capture_virsh net isolated 0b1e5c1a-0000-4000-8000-${n}04
  capture_virsh net host-bridge 0b1e5c1a-0000-4000-8000-${n}05
  capture_virsh net macvtap-vepa 0b1e5c1a-0000-4000-8000-${n}06
  capture_virsh net macvtap-bridge 0b1e5c1a-0000-4000-8000-${n}07
  capture_virsh net passthrough 0b1e5c1a-0000-4000-8000-${n}08
  capture_virsh net sriov-pool 0b1e5c1a-0000-4000-8000-${n}09
  capture_virsh net sriov-pf 0b1e5c1a-0000-4000-8000-${n}0a
  capture_virsh net ovs-net 0b1e5c1a-0000-4000-8000-${n}0b
  capture_virsh net hostile-name 0b1e5c1a-0000-4000-8000-${n}0c
  capture_virsh dom web01 d0e1a1b2-0000-4000-8000-${n}01
  capture_virsh dom hostile-name d0e1a1b2-0000-4000-8000-${n}02
  capture_virsh dom misc03 d0e1a1b2-0000-4000-8000-${n}03
  capture_virsh dom transient04 d0e1a1b2-0000-4000-8000-${n}04
}

# ─────────────── whole probe runs, saved as RawCapture JSON ───────────────
build_probe_module() {
  (cd "$ROOT" && npx tsc --outDir "$WORK/build" --rootDir src --module nodenext --moduleResolution nodenext \
    --target es2022 --skipLibCheck --types node src/probe/script.ts src/probe/framing.ts)
  echo '{"type":"module"}' >"$WORK/build/package.json"
}

# run_probe NAME URI [no-brctl]: run the real probe script inside the lab namespace.
run_probe() {
  local name=$1 uri=$2 variant=${3:-}
  mkdir -p "$OUT/probe"
  node --input-type=module - "$WORK/build" "$NS" "$NONCE" "$uri" "$variant" "$OUT/probe/$name.json" <<'EOF'
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const [build, ns, nonce, libvirtUri, variant, outFile] = process.argv.slice(2);
const { buildProbeScript } = await import(`${build}/probe/script.js`);
const { commandOfSection } = await import(`${build}/probe/sections.js`);
const { toCapture } = await import(`${build}/probe/framing.js`);
const options = { libvirtUri, sudo: false, nonce };
const script = buildProbeScript(options);
let run;
if (variant === 'no-brctl') {
  // A private mount namespace where brctl is a non-executable file: the probe sees "brctl -" and falls back.
  const stub = `${build}/brctl-missing`;
  writeFileSync(stub, '');
  run = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
    `mount --bind ${stub} /usr/sbin/brctl && exec ip netns exec ${ns} sh -s`], { input: script, encoding: 'utf8' });
} else {
  run = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-s'], { input: script, encoding: 'utf8' });
}
if (run.status !== 0 || run.stderr) throw new Error(`probe run failed (${run.status}): ${run.stderr}`);
const capture = toCapture(run.stdout, nonce, false, (id) => commandOfSection(id, options));
writeFileSync(outFile, JSON.stringify(capture, null, 2) + '\n');
EOF
}

write_readme() {
  cat >"$OUT/README.md" <<'README'
# Parser fixtures: real captured outputs

Generated by `scripts/capture-parse-fixtures.sh` (root): nothing here is written by hand, so
regenerate rather than edit. MAC addresses, bridge ids, CPU times and the UUID of the vanishing
domain change from run to run; everything else is stable.

- `ip/`: iproute2 6.1 and bridge-utils in a network namespace with bridges (one without ports), a
  veth "uplink" whose peer is in another namespace, a veth patch cable between two bridges, taps, a
  tun, a macvtap and a macvlan, a vxlan port, a multipath default route, and a veth named
  `evil<ESC>[31m` (`ip -j` prints the ESC raw, which is invalid JSON).
- `virsh/`: `node.xml` and `node-vanishing.xml` are the libvirt test-driver inputs;
  `net-dumpxml.*` and `dumpxml.*` are virsh 9.0 outputs for them.
- `probe/*.json`: whole runs of the real probe (src/probe/script.ts) in that namespace, saved as
  RawCapture: `ok`; `no-brctl` (brctl hidden: the `bridge -j link` fallback); `vanished` (a domain
  listed, then gone before the objects process dumps it); `libvirt-down` (no libvirtd on the socket);
  `missing-node-file` (libvirt error preceded by a libxml2 warning). The `/tmp/kna-h2-capture`
  paths in them are the script's work folder.
README
}

mkdir -p "$WORK"
rm -rf "$OUT"
mkdir -p "$OUT"
write_readme
build_lab
capture_host_tools
write_node_xml
capture_virsh_objects
build_probe_module
run_probe ok "test://$WORK/node.xml"
run_probe no-brctl "test://$WORK/node.xml" no-brctl
run_probe vanished "test://$WORK/node-vanishing.xml"
# No libvirtd listens on this socket: virsh fails the way it does on a host whose libvirtd is down.
run_probe libvirt-down "qemu:///system?socket=$WORK/no-libvirtd.sock"
run_probe missing-node-file "test://$WORK/no-such-node.xml"
echo "capture-parse-fixtures: wrote $(find "$OUT" -type f | wc -l) files under ${OUT#"$ROOT"/}"
