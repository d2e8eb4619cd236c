/**
 * Live numbers for the charts and the host panel: every second, vm.stats for each VM that has a
 * process and host.status for the admission numbers. Each VM keeps the last HISTORY_SECONDS of
 * samples. A host without these commands (`not-implemented`) is remembered, not polled again.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { ApiError, type HostStatus, type VmId, type VmState, type VmStats } from '../../core/api/index.js';
import { useHostStore } from './host.js';
import { useVmStore } from './vm.js';

/** How far back the charts look. */
export const HISTORY_SECONDS = 300;
/** How often the store asks the host. */
export const POLL_MS = 1000;

export interface StatsSample {
  /** Seconds since the epoch (uPlot's x unit). */
  time: number;
  cpuPercent: number;
  /** Millions of instructions retired per second, all harts. */
  mips: number;
}

/** States in which a VM has a process whose counters move. */
export function hasProcess(state: VmState): boolean {
  return state === 'starting' || state === 'running' || state === 'paused' || state === 'stopping';
}

export const useStatsStore = defineStore('stats', () => {
  const host = useHostStore();
  const vms = useVmStore();

  const history = ref<Record<VmId, StatsSample[]>>({});
  const latest = ref<Record<VmId, VmStats>>({});
  const hostStatus = ref<HostStatus | null>(null);
  /** False once the host answered `not-implemented` to vm.stats. */
  const statsSupported = ref<boolean | null>(null);
  const hostStatusSupported = ref<boolean | null>(null);

  /** CPU % of all running VMs together (percent of one host core). */
  const totalCpuPercent = computed(() => Object.values(latest.value).reduce((sum, s) => sum + (hasProcess(s.state) ? s.cpuPercent : 0), 0));

  function record(stats: VmStats, now: number): void {
    latest.value = { ...latest.value, [stats.id]: stats };
    const samples = history.value[stats.id] ?? [];
    const next = [...samples.filter((s) => s.time > now - HISTORY_SECONDS), { time: now, cpuPercent: stats.cpuPercent, mips: stats.instructionsPerSecond / 1e6 }];
    history.value = { ...history.value, [stats.id]: next };
  }

  let inFlight: Promise<void> | null = null;
  /** One round of questions to the host (joins the round in flight, if any). */
  function poll(): Promise<void> {
    inFlight ??= round().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  let rounds = 0;
  async function round(): Promise<void> {
    const api = host.client;
    if (!api || !host.connected) return;
    // Free host memory moves too: ask for host.info again every few seconds.
    if (++rounds % 5 === 0) await host.refreshInfo().catch(() => {});
    {
      const now = Date.now() / 1000;
      const targets = vms.vms.filter((vm) => hasProcess(vm.state));
      if (statsSupported.value !== false) {
        await Promise.all(
          targets.map(async (vm) => {
            try {
              record(await api.call({ type: 'vm.stats', id: vm.id }), now);
              statsSupported.value = true;
            } catch (e) {
              if (e instanceof ApiError && e.code === 'not-implemented') statsSupported.value = false;
            }
          }),
        );
      }
      // A VM that stopped keeps its history (the chart shows when it ran) but no longer counts.
      for (const id of Object.keys(latest.value)) {
        const vm = vms.vms.find((v) => v.id === id);
        if (!vm || !hasProcess(vm.state)) latest.value = { ...latest.value, [id]: { ...latest.value[id], state: vm?.state ?? 'stopped', cpuPercent: 0, instructionsPerSecond: 0 } };
      }
      if (hostStatusSupported.value !== false) {
        try {
          hostStatus.value = await api.call({ type: 'host.status' });
          hostStatusSupported.value = true;
        } catch (e) {
          if (e instanceof ApiError && e.code === 'not-implemented') hostStatusSupported.value = false;
        }
      }
    }
  }

  let timer: ReturnType<typeof setInterval> | null = null;
  watch(
    () => host.status,
    (status) => {
      if (timer !== null) clearInterval(timer);
      timer = null;
      if (status !== 'connected') return;
      statsSupported.value = null;
      hostStatusSupported.value = null;
      void poll();
      timer = setInterval(() => void poll(), POLL_MS);
    },
    { immediate: true },
  );

  /** Stops polling (tests; the window never needs it). */
  function stop(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  return { history, latest, hostStatus, statsSupported, hostStatusSupported, totalCpuPercent, poll, stop };
});
