import { promises as dns } from 'node:dns';
import { networkInterfaces } from 'node:os';

/**
 * The worker id when neither --worker-id nor WORKER_ID is given: the hostname's trailing ordinal, so the
 * pods of a StatefulSet (`worker-chatgpt-0`, `worker-chatgpt-1`, ...) need no per-pod configuration.
 */
export function workerIdFromHostname(hostname: string): number | undefined {
  const match = /-(\d+)$/.exec(hostname);
  return match ? Number(match[1]) : undefined;
}

/** This host's own non-loopback IPv4 addresses. */
function ownAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address !== undefined && address.family === 'IPv4' && !address.internal)
    .map((address) => (address as { address: string }).address);
}

/**
 * The next place to look: Compose's replicas have the container id as their hostname, but their names carry
 * the replica number (`avt-worker-chatgpt-2`), and Docker's and Podman's DNS give a container's name back
 * for its address (`avt-worker-chatgpt-2.avt_default`). Undefined when no address of this host has such a
 * name, or the lookup takes longer than `timeoutMs`.
 */
export async function workerIdFromReverseDns(
  addresses: string[] = ownAddresses(),
  reverse: (address: string) => Promise<string[]> = (address) => dns.reverse(address),
  timeoutMs = 2_000,
): Promise<number | undefined> {
  const lookups = addresses.map((address) => reverse(address).catch(() => [] as string[]));
  const timeout = new Promise<string[][]>((resolve) => setTimeout(() => resolve([]), timeoutMs).unref());
  const names = (await Promise.race([Promise.all(lookups), timeout])).flat();
  for (const name of names) {
    const id = workerIdFromHostname(name.split('.')[0] ?? '');
    if (id !== undefined) return id;
  }
  return undefined;
}
