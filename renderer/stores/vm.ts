/**
 * The VM library as the host reports it (vm.list), kept current by the host's vm.* events, and
 * which VM the user has selected.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { ApiError, type ApiEvent, type VmId, type VmState, type VmSummary } from '../../core/api/index.js';
import { useHostStore } from './host.js';

/** The toolbar's power buttons. `stop` is Power Off: it pulls the plug (vm.hardStop), as in VMware. */
export type PowerAction = 'start' | 'pause' | 'resume' | 'stop' | 'reset';

/** Which power commands a VM's lifecycle state allows (core/api/commands.ts). */
export function powerActions(state: VmState | null): Record<PowerAction, boolean> {
  return {
    start: state === 'created' || state === 'stopped' || state === 'crashed',
    pause: state === 'running',
    resume: state === 'paused',
    stop: state === 'running' || state === 'paused',
    reset: state === 'running' || state === 'paused',
  };
}

export const useVmStore = defineStore('vm', () => {
  const host = useHostStore();

  const vms = ref<VmSummary[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const actionError = ref<string | null>(null);
  const selectedId = ref<VmId | null>(null);
  const filter = ref('');

  const selected = computed(() => vms.value.find((vm) => vm.id === selectedId.value) ?? null);
  const filtered = computed(() => {
    const needle = filter.value.trim().toLocaleLowerCase();
    return needle ? vms.value.filter((vm) => vm.name.toLocaleLowerCase().includes(needle)) : vms.value;
  });
  const actions = computed(() => powerActions(selected.value?.state ?? null));

  /**
   * Events that arrived while a vm.list was in flight: the list may have been read before or after
   * them, so they are applied again on top of it (each event is idempotent).
   */
  let pendingEvents: ApiEvent[] | null = null;

  /** Loads the library from the host; keeps the old list if the host cannot answer. */
  async function load(): Promise<void> {
    const api = host.client;
    if (!api) return;
    loading.value = true;
    pendingEvents = [];
    try {
      const list = await api.vmList();
      vms.value = list;
      for (const event of pendingEvents) apply(event);
      error.value = null;
      loaded.value = true;
      if (selectedId.value !== null && !vms.value.some((vm) => vm.id === selectedId.value)) selectedId.value = null;
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : String(e);
    } finally {
      pendingEvents = null;
      loading.value = false;
    }
  }

  function select(id: VmId | null): void {
    selectedId.value = id;
    actionError.value = null;
  }

  /** Runs a power action on the selected VM; a refusal (wrong state, not implemented) lands in `actionError`. */
  async function power(action: PowerAction): Promise<void> {
    const api = host.client;
    const id = selectedId.value;
    if (!api || id === null) return;
    actionError.value = null;
    try {
      const run = {
        start: api.vmStart,
        pause: api.vmPause,
        resume: api.vmResume,
        stop: api.vmHardStop,
        reset: api.vmReset,
      }[action];
      const result = await run(id);
      apply({ type: 'vm.stateChanged', id: result.id, state: result.state, previous: result.state });
    } catch (e) {
      actionError.value = e instanceof ApiError ? e.message : String(e);
    }
  }

  function apply(event: ApiEvent): void {
    switch (event.type) {
      case 'vm.added':
        if (!vms.value.some((vm) => vm.id === event.vm.id)) vms.value = [...vms.value, event.vm];
        break;
      case 'vm.updated':
        vms.value = vms.value.map((vm) => (vm.id === event.vm.id ? event.vm : vm));
        break;
      case 'vm.removed':
        vms.value = vms.value.filter((vm) => vm.id !== event.id);
        if (selectedId.value === event.id) selectedId.value = null;
        break;
      case 'vm.stateChanged':
        vms.value = vms.value.map((vm) => (vm.id === event.id ? { ...vm, state: event.state } : vm));
        break;
      default:
        break;
    }
  }

  // Follow whichever connection the host store holds; load the library each time it comes up.
  let unsubscribe: (() => void) | null = null;
  watch(
    () => host.client,
    (api) => {
      unsubscribe?.();
      unsubscribe = api
        ? api.onEvent((event) => {
            pendingEvents?.push(event);
            apply(event);
          })
        : null;
    },
    { immediate: true },
  );
  watch(
    () => host.status,
    (status) => {
      if (status === 'connected') void load();
    },
    { immediate: true },
  );

  return { vms, loading, loaded, error, actionError, selectedId, selected, filter, filtered, actions, load, select, power };
});
