import { type Listener, type ListenOptions, listen } from '../db/listen.ts';

/** NOTIFY channel that sql/010_enqueue.sql and release_prompt_run signal; the payload is the ai_source. */
export const QUEUED_CHANNEL = 'prompt_runs_queued';

export interface WakeupOptions extends Omit<ListenOptions, 'channel' | 'onNotification'> {
  /** Called with the ai_source of newly queued runs. */
  onQueued: (aiSource: string) => void;
}

export type Wakeups = Listener;

/** Wakes a worker's claim loops when runs are queued for a source (see listen for the session it holds). */
export function listenForQueuedRuns(options: WakeupOptions): Wakeups {
  const { onQueued, ...rest } = options;
  return listen({
    ...rest,
    channel: QUEUED_CHANNEL,
    applicationName: options.applicationName ?? 'avt-listen',
    onNotification: (payload) => {
      if (payload) onQueued(payload);
    },
  });
}
