/**
 * Building a template's guest images from the app (template.build): the build under way with its
 * latest step and detail line, and how the last one ended. Kept in a store, not in the wizard, so
 * a build (an hour from scratch) goes on being followed when the wizard is closed and reopened.
 * A build this window did not start (another window, the CLI, a reload) shows in template.list as
 * `building`: the store follows it too (its progress events, and template.list every few seconds
 * until it ends), and can cancel it.
 */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { ApiError, type TemplateInfo } from '../../core/api/index.js';
import { useHostStore } from './host.js';
import { useVmStore } from './vm.js';

export interface GuestBuildState {
  readonly templateId: string;
  readonly operationId: string;
  /** Date.now() when the build started (the elapsed time shown counts from it). */
  readonly startedAt: number;
  /** The current step (from 1) of `steps`; 0 before the first progress event. */
  readonly step: number;
  readonly steps: number;
  readonly what: string;
  readonly detail: string;
  /** Cancel was pressed; the host is stopping the build. */
  readonly cancelling: boolean;
  /** Started elsewhere (another window, the CLI): followed through template.list. */
  readonly adopted: boolean;
}

/** How often a build started elsewhere is checked for its end. */
const ADOPTED_POLL_MS = 3000;

export interface GuestBuildEnd {
  readonly templateId: string;
  readonly kind: 'done' | 'cancelled' | 'failed';
  /** The host's message (failed, cancelled). */
  readonly message: string;
  readonly upToDate: boolean;
}

export const useGuestBuildStore = defineStore('guestBuild', () => {
  const host = useHostStore();
  const vms = useVmStore();
  const running = ref<GuestBuildState | null>(null);
  const ended = ref<GuestBuildEnd | null>(null);

  // Progress of the build this window started (the host broadcasts every operation's events).
  watch(
    () => host.client,
    (api, _old, onCleanup) => {
      if (!api) return;
      const off = api.onEvent((event) => {
        const now = running.value;
        if (event.type !== 'operation.progress' || !now || event.operationId !== now.operationId || event.step === undefined) return;
        running.value = { ...now, step: event.step, steps: event.steps ?? now.steps, what: event.what, detail: event.detail ?? '' };
      });
      onCleanup(off);
    },
    { immediate: true },
  );

  /** Starts building `templateId`'s guest images; resolves when the build has ended (never rejects). */
  async function start(templateId: string): Promise<void> {
    const api = host.client;
    if (!api || running.value) return;
    const operationId = `build-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    ended.value = null;
    running.value = { templateId, operationId, startedAt: Date.now(), step: 0, steps: 0, what: '', detail: '', cancelling: false, adopted: false };
    try {
      const result = await api.call({ type: 'template.build', id: templateId, operationId });
      ended.value = { templateId, kind: 'done', message: '', upToDate: result.upToDate };
    } catch (e) {
      const error = e instanceof ApiError ? e : new ApiError('internal', String(e));
      ended.value = { templateId, kind: error.code === 'cancelled' ? 'cancelled' : 'failed', message: error.message, upToDate: false };
    } finally {
      running.value = null;
    }
    // The template's files may be there now: show it selectable.
    await vms.loadTemplates();
  }

  /** Asks the host to stop the build; `start` then ends as cancelled. */
  async function cancel(): Promise<void> {
    const now = running.value;
    const api = host.client;
    if (!now || !api || now.cancelling) return;
    running.value = { ...now, cancelling: true };
    try {
      await api.operationCancel(now.operationId);
    } catch {
      // the build ended meanwhile
    }
  }

  let poll: ReturnType<typeof setInterval> | null = null;

  /** Follows a build the host reports (`building`) that this window did not start. */
  function adopt(list: readonly TemplateInfo[] | null): void {
    const now = running.value;
    if (now?.adopted) {
      const still = list?.find((t) => t.id === now.templateId)?.building?.operationId === now.operationId;
      if (still) return;
      // It ended: done when the template's files are there now; otherwise it was cancelled or failed elsewhere.
      if (poll) clearInterval(poll);
      poll = null;
      running.value = null;
      const t = list?.find((x) => x.id === now.templateId);
      ended.value = t && t.missing.length === 0 ? { templateId: now.templateId, kind: 'done', message: '', upToDate: false } : null;
      return;
    }
    if (now) return;
    const t = list?.find((x) => x.building);
    if (!t?.building) return;
    running.value = {
      templateId: t.id,
      operationId: t.building.operationId,
      startedAt: Date.now() - t.building.elapsedSeconds * 1000,
      step: 0,
      steps: 0,
      what: '',
      detail: '',
      cancelling: false,
      adopted: true,
    };
    poll = setInterval(() => void vms.loadTemplates(), ADOPTED_POLL_MS);
  }
  watch(() => vms.templates, adopt, { immediate: true });

  return { running, ended, start, cancel };
});
