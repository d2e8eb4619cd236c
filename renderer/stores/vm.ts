/**
 * The VM library as the host reports it (vm.list), kept current by the host's vm.* events, and
 * which VM the user has selected.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import {
  ApiError,
  type ApiEvent,
  type TemplateInfo,
  type VmConfigInput,
  type VmConfigPatch,
  type VmDetails,
  type VmId,
  type VmState,
  type VmSummary,
} from '../../core/api/index.js';
import { useHostStore } from './host.js';

/**
 * The toolbar's power buttons. `shutdown` asks the guest to power off (vm.stop: the power button,
 * then a hard stop if the guest does not act on it); `stop` is Power Off: it pulls the plug
 * (vm.hardStop), as in VMware.
 */
export type PowerAction = 'start' | 'pause' | 'resume' | 'shutdown' | 'stop' | 'reset';

/** Which power commands a VM's lifecycle state allows (core/api/commands.ts). */
export function powerActions(state: VmState | null): Record<PowerAction, boolean> {
  return {
    start: state === 'created' || state === 'stopped' || state === 'crashed',
    pause: state === 'running',
    resume: state === 'paused',
    shutdown: state === 'running',
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
  /** Whole configurations (vm.get), fetched for the selected VM and refreshed when it changes. */
  const details = ref<Record<VmId, VmDetails>>({});
  /** Why each crashed VM crashed (from vm.stateChanged reasons and vm.get). */
  const crashReasons = ref<Record<VmId, string>>({});
  const templates = ref<TemplateInfo[] | null>(null);
  const templatesError = ref<string | null>(null);

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
    if (selectedId.value !== null) await powerVm(selectedId.value, action);
  }

  /** Runs a power action on any VM (the library's context menu); a refusal lands in `actionError`. */
  async function powerVm(id: VmId, action: PowerAction): Promise<void> {
    const api = host.client;
    if (!api) return;
    actionError.value = null;
    try {
      const run = {
        start: api.vmStart,
        pause: api.vmPause,
        resume: api.vmResume,
        shutdown: api.vmStop,
        stop: api.vmHardStop,
        reset: api.vmReset,
      }[action];
      const result = await run(id);
      apply({ type: 'vm.stateChanged', id: result.id, state: result.state, previous: result.state });
    } catch (e) {
      actionError.value = e instanceof ApiError ? e.message : String(e);
    }
  }

  /** Fetches a VM's whole configuration (vm.get); keeps the last one if the host cannot answer. */
  async function loadDetails(id: VmId): Promise<VmDetails | null> {
    const api = host.client;
    if (!api) return null;
    try {
      const vm = await api.vmGet(id);
      details.value = { ...details.value, [id]: vm };
      if (vm.crashReason) crashReasons.value = { ...crashReasons.value, [id]: vm.crashReason };
      return vm;
    } catch {
      return null;
    }
  }

  /** The host's templates (template.list), fetched once per connection. */
  async function loadTemplates(): Promise<void> {
    const api = host.client;
    if (!api) return;
    try {
      templates.value = await api.call({ type: 'template.list' });
      templatesError.value = null;
    } catch (e) {
      templates.value = [];
      templatesError.value = e instanceof ApiError ? e.message : String(e);
    }
  }

  /**
   * Creates a VM and selects it. With `template` (a template with disks of its own) the host copies
   * them first: `operation.progress` events under `operationId` follow it, `cancelOperation` stops it.
   * Rejects with the host's ApiError (the wizard shows it; code 'cancelled' after a cancel).
   */
  async function create(config: VmConfigInput, from?: { template: string; operationId: string }): Promise<VmDetails> {
    const api = host.client;
    if (!api) throw new ApiError('disconnected', 'not connected to the host');
    const vm = from ? await api.call({ type: 'vm.create', config, template: from.template, operationId: from.operationId }) : await api.vmCreate(config);
    details.value = { ...details.value, [vm.id]: vm };
    apply({ type: 'vm.added', vm: { id: vm.id, name: vm.config.name, state: vm.state, harts: vm.config.harts, memoryMiB: vm.config.memoryMiB } });
    select(vm.id);
    return vm;
  }

  /** Changes a VM's configuration. Rejects with the host's ApiError. */
  async function update(id: VmId, patch: VmConfigPatch): Promise<VmDetails> {
    const api = host.client;
    if (!api) throw new ApiError('disconnected', 'not connected to the host');
    const vm = await api.vmUpdate(id, patch);
    details.value = { ...details.value, [vm.id]: vm };
    apply({ type: 'vm.updated', vm: { id: vm.id, name: vm.config.name, state: vm.state, harts: vm.config.harts, memoryMiB: vm.config.memoryMiB } });
    return vm;
  }

  /** Cancels a long operation (a create copying disks); false when it had already ended. */
  async function cancelOperation(operationId: string): Promise<boolean> {
    const api = host.client;
    if (!api) return false;
    return (await api.operationCancel(operationId)).cancelled;
  }

  /**
   * Deletes a VM and its files; with `keepDisks` its own disks move to <data>/kept-disks/ first.
   * Resolves with that folder (null: nothing kept). Rejects with the host's ApiError.
   */
  async function remove(id: VmId, options: { keepDisks?: boolean } = {}): Promise<string | null> {
    const api = host.client;
    if (!api) throw new ApiError('disconnected', 'not connected to the host');
    const result = await api.call({ type: 'vm.delete', id, keepDisks: options.keepDisks === true });
    apply({ type: 'vm.removed', id });
    return result.keptDisks ?? null;
  }

  function apply(event: ApiEvent): void {
    switch (event.type) {
      case 'vm.added':
        if (!vms.value.some((vm) => vm.id === event.vm.id)) vms.value = [...vms.value, event.vm];
        break;
      case 'vm.updated':
        vms.value = vms.value.map((vm) => (vm.id === event.vm.id ? event.vm : vm));
        if (event.vm.id === selectedId.value) void loadDetails(event.vm.id);
        break;
      case 'vm.removed':
        vms.value = vms.value.filter((vm) => vm.id !== event.id);
        if (selectedId.value === event.id) selectedId.value = null;
        break;
      case 'vm.stateChanged':
        vms.value = vms.value.map((vm) => (vm.id === event.id ? { ...vm, state: event.state } : vm));
        if (event.state === 'crashed' && event.reason) crashReasons.value = { ...crashReasons.value, [event.id]: event.reason };
        if (details.value[event.id]) details.value = { ...details.value, [event.id]: { ...details.value[event.id], state: event.state } };
        // The pid and crash reason change with the state: fetch them again for the VM on screen.
        if (event.id === selectedId.value && event.state !== event.previous) void loadDetails(event.id);
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
      if (status === 'connected') {
        templates.value = null;
        void load();
      }
    },
    { immediate: true },
  );

  watch(selectedId, (id) => {
    if (id !== null) void loadDetails(id);
  });

  return {
    vms,
    loading,
    loaded,
    error,
    actionError,
    selectedId,
    selected,
    filter,
    filtered,
    actions,
    details,
    crashReasons,
    templates,
    templatesError,
    load,
    loadDetails,
    loadTemplates,
    select,
    power,
    powerVm,
    create,
    update,
    remove,
    cancelOperation,
  };
});
