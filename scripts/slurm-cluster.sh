#!/usr/bin/env bash
# A single-node Slurm cluster for tests: this host is controller and compute node (hostname -s, nproc CPUs).
#   eval "$(bash scripts/slurm-cluster.sh start)"   # prints "export SLURM_CONF=...; export WXENS_SLURM_DIR=..."
#   bash scripts/slurm-cluster.sh stop "$WXENS_SLURM_DIR"
# Needs Debian's munge, slurmctld, slurmd and slurm-client, and root (the daemons run as root here).
set -euo pipefail

start() {
    local dir host cpus
    dir=$(mktemp -d /tmp/wxens-slurm.XXXXXX)
    host=$(hostname -s)
    cpus=$(nproc)
    mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
    if [ ! -s /etc/munge/munge.key ]; then
        mkdir -p /etc/munge
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
        chown munge:munge /etc/munge/munge.key 2>/dev/null || true
        chmod 400 /etc/munge/munge.key
    fi
    mkdir -p /run/munge && chown munge:munge /run/munge 2>/dev/null || true
    if ! munge -n >/dev/null 2>&1; then
        if id munge >/dev/null 2>&1; then
            runuser -u munge -- /usr/sbin/munged || /usr/sbin/munged --force
        else
            /usr/sbin/munged --force
        fi
        touch "$dir/munge/started-here"
    fi
    cat > "$dir/slurm.conf" <<CONF
ClusterName=wxensci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -c -f "$SLURM_CONF" >&2
    slurmd -f "$SLURM_CONF" >&2
    for _ in $(seq 1 60); do
        if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
            echo "export SLURM_CONF=$SLURM_CONF; export WXENS_SLURM_DIR=$dir"
            return 0
        fi
        sleep 1
    done
    echo "slurm-cluster: the node did not come up; logs in $dir" >&2
    sinfo >&2 || true
    tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
    stop "$dir"
    return 1
}

stop() {
    local dir=$1
    for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
        if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
    done
    # Daemons that died before writing their pid file are found by their own config path, nothing broader.
    for pid in $(pgrep -f -- "-f $dir/slurm.conf" || true); do kill "$pid" 2>/dev/null || true; done
    sleep 2
    for pid in $(pgrep -f -- "-f $dir/slurm.conf" || true); do kill -9 "$pid" 2>/dev/null || true; done
    if [ -e "$dir/munge/started-here" ] && [ -s /run/munge/munged.pid ]; then kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true; fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:?give the directory printed by start}" ;;
    *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
