#!/usr/bin/env bash
# Starts a single-node Slurm cluster on localhost (munge, slurmctld, slurmd)
# in directory $1 (created if missing), following shared/SCALING-NOTES.md.
# Prints `export SLURM_CONF=$1/slurm.conf`; clients need that variable.
# Stop it with ci/slurm-down.sh $1 (kills by PID, never by name).
# Needs: apt-get install -y slurm-wlm (brings munge); runs as root.
set -euo pipefail
D=$(realpath -m "${1:?usage: ci/slurm-up.sh DIR}")
mkdir -p "$D/spool/ctld" "$D/spool/d" "$D/log"
for bin in munged slurmctld slurmd sinfo; do
    command -v "$bin" >/dev/null || { echo "slurm-up: $bin not found; apt-get install -y slurm-wlm" >&2; exit 1; }
done

# 1. munge, unless one is already running.
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if ! alive /run/munge/munged.pid; then
    [ -f /etc/munge/munge.key ] || mungekey --create
    install -d -o munge -g munge -m0755 /run/munge
    install -d -o munge -g munge -m0700 /var/log/munge /var/lib/munge
    setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged
    touch "$D/munge.started"    # slurm-down stops munge only if we started it
fi
for _ in $(seq 50); do munge -n | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge >/dev/null

# 2. the configuration.
cpus=$(nproc)
cat > "$D/slurm.conf" <<CONF
ClusterName=brinklocal
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$D/spool/ctld
SlurmdSpoolDir=$D/spool/d
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=16000 State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF

# 3. the daemons; wait until the node is idle.
export SLURM_CONF="$D/slurm.conf"
slurmctld
slurmd -N localhost
for _ in $(seq 100); do
    state=$(sinfo -h -N -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
done
if [ "$state" != idle ]; then
    echo "slurm-up: node not idle after 20 s (state: '${state}'); logs in $D/log" >&2
    exit 1
fi
echo "export SLURM_CONF=$D/slurm.conf"
