/**
 * The worker id when neither --worker-id nor WORKER_ID is given: the hostname's trailing ordinal, so the
 * pods of a StatefulSet (`worker-chatgpt-0`, `worker-chatgpt-1`, ...) need no per-pod configuration.
 */
export function workerIdFromHostname(hostname: string): number | undefined {
  const match = /-(\d+)$/.exec(hostname);
  return match ? Number(match[1]) : undefined;
}
