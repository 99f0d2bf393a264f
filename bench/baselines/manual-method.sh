#!/bin/sh
# The manual method: how people audit libvirt networking across hypervisors without a tool. For every host,
# `xargs -P` starts OpenSSH's `ssh`, which runs this loop on the host: list the networks by UUID, then
# `virsh net-info` and `virsh net-dumpxml` for each; list the guests by UUID, then `virsh dumpxml` for each;
# then `ip a` and `brctl show`. One virsh process per command, as typed by hand or pasted from a wiki.
# Each host's output lands in OUTDIR/HOST.out (stderr in OUTDIR/HOST.err), to be read afterwards.
#
# It is the baseline of `npm run bench:fleet` (bench/fleetBench.ts), which also sends the same loop
# (printed by -p) through parallel-ssh, clush and `ansible -m raw`. It is written to be honest, not slow:
# UUIDs rather than names (names may hold spaces), no sleeps, no retries.
#
# Usage:
#   manual-method.sh [-P N] [-i KEY] [-k KNOWN_HOSTS] [-u USER] [-c URI] [-F SSH_CONFIG] [-o OUTDIR] [HOST…]
#       audit HOSTs (or the host lines on stdin, one per line), N at a time (default 8)
#   manual-method.sh -p [-c URI]
#       print the loop that runs on each host, and exit
#
#   -i KEY           private key (ssh -i); BatchMode=yes and IdentitiesOnly=yes are always set
#   -k KNOWN_HOSTS   host keys are checked against this file with StrictHostKeyChecking=yes
#                    (default: ssh's own known_hosts, still strict)
#   -u USER          remote user (default root)
#   -c URI           libvirt URI for virsh -c (default qemu:///system)
#   -F SSH_CONFIG    ssh -F (e.g. `none`, to read no ssh_config)
#   -o OUTDIR        where the per-host output goes (default ./manual-method-out)
#
# Exit status: 0 when every host's ssh exited 0, 1 otherwise (each failure is named on stderr), 64 on a bad
# invocation.
set -eu

usage() {
  sed -n '12,24s/^# \{0,1\}//p' "$0" >&2
  exit 64
}

# Quote one word for the remote shell (single quotes; an embedded quote closed, escaped and reopened).
quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# The loop that runs on each host, as one line so that every fan-out tool passes it unchanged.
remote_loop() {
  v="virsh -c $(quote "$URI")"
  printf '%s' "LC_ALL=C; export LC_ALL; for n in \$($v net-list --all --uuid); do $v net-info \"\$n\"; $v net-dumpxml \"\$n\"; done; for d in \$($v list --all --uuid); do $v dumpxml \"\$d\"; done; ip a; brctl show"
}

P=8 KEY='' KNOWN_HOSTS='' USER_NAME=root URI='qemu:///system' SSH_CONFIG='' OUTDIR=./manual-method-out
PRINT=0 ONE=0
while getopts 'P:i:k:u:c:F:o:p1h' opt; do
  case $opt in
    P) P=$OPTARG ;;
    i) KEY=$OPTARG ;;
    k) KNOWN_HOSTS=$OPTARG ;;
    u) USER_NAME=$OPTARG ;;
    c) URI=$OPTARG ;;
    F) SSH_CONFIG=$OPTARG ;;
    o) OUTDIR=$OPTARG ;;
    p) PRINT=1 ;;
    1) ONE=1 ;; # internal: xargs calls this script back with -1 HOST
    *) usage ;;
  esac
done
shift $((OPTIND - 1))

if [ "$PRINT" = 1 ]; then
  remote_loop
  echo
  exit 0
fi

case $P in '' | *[!0-9]*) echo "manual-method.sh: -P needs a number" >&2; exit 64 ;; esac

if [ "$ONE" = 1 ]; then
  [ $# -eq 1 ] || usage
  host=$1
  # ssh's options, built as positional parameters so that paths with spaces survive.
  set -- -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=30
  [ -n "$SSH_CONFIG" ] && set -- -F "$SSH_CONFIG" "$@"
  [ -n "$KEY" ] && set -- "$@" -i "$KEY"
  [ -n "$KNOWN_HOSTS" ] && set -- "$@" -o "UserKnownHostsFile=$KNOWN_HOSTS"
  case $host in *@*) target=$host ;; *) target="$USER_NAME@$host" ;; esac
  name=${host#*@}
  if ssh "$@" "$target" "$(remote_loop)" > "$OUTDIR/$name.out" 2> "$OUTDIR/$name.err"; then
    exit 0
  else
    echo "manual-method.sh: $host: ssh exited $?" >&2
    # 1–125 makes xargs carry on with the other hosts and exit 123 at the end.
    exit 1
  fi
fi

mkdir -p "$OUTDIR"
# The options travel to each per-host call; the host is appended by xargs.
set_args() {
  ARGS="-1 -u $(quote "$USER_NAME") -c $(quote "$URI") -o $(quote "$OUTDIR")"
  [ -n "$KEY" ] && ARGS="$ARGS -i $(quote "$KEY")"
  [ -n "$KNOWN_HOSTS" ] && ARGS="$ARGS -k $(quote "$KNOWN_HOSTS")"
  [ -n "$SSH_CONFIG" ] && ARGS="$ARGS -F $(quote "$SSH_CONFIG")"
  return 0
}
set_args
hosts() {
  if [ $# -gt 0 ]; then printf '%s\n' "$@"; else grep -v '^[[:space:]]*\(#\|$\)' || true; fi
}
# xargs splits its input on blanks: host lines are single words (HOST or USER@HOST).
if hosts "$@" | eval "xargs -n 1 -P \"\$P\" sh \"\$0\" $ARGS"; then
  exit 0
fi
exit 1
