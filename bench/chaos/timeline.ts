import pg from 'pg';

export const MONITOR_APP = 'avt-chaos';

interface Sample {
  atMs: number;
  ended: number;
}

/**
 * Runs ended (done or dead) over time, sampled every `everyMs` on a session of the chaos run's own (left
 * alone by the scenarios' faults, reopened after a server restart): throughput before a fault, and how long
 * after it the fleet is back to full speed.
 */
export class Timeline {
  readonly samples: Sample[] = [];
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly url: string;
  private readonly startedMs = Date.now();
  private busy = false;

  constructor(url: string) {
    this.url = url;
  }

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.sample(), everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.client?.end().catch(() => {});
  }

  /** Seconds since the timeline started. */
  now(): number {
    return (Date.now() - this.startedMs) / 1000;
  }

  latest(): number {
    return this.samples.at(-1)?.ended ?? 0;
  }

  /** Runs ended per second between two moments (seconds on this timeline). */
  rate(fromS: number, toS: number): number {
    const from = this.at(fromS);
    const to = this.at(toS);
    if (!from || !to || to.atMs <= from.atMs) return 0;
    return (to.ended - from.ended) / ((to.atMs - from.atMs) / 1000);
  }

  /**
   * The first moment after `fromS` at which the rate over the next `windowS` reaches `share` of
   * `baseline`, or undefined when it never does (or the queue ran dry first). A gap in the samples (the
   * sampler reconnecting, a slow count) is measured across, not taken for the end of the batch: that once
   * hid a recovery the workers' own logs put 7 s after a restart.
   */
  recoveredAt(fromS: number, baseline: number, share: number, windowS: number): number | undefined {
    const lastS = (this.samples.at(-1)?.atMs ?? 0) / 1000;
    for (const sample of this.samples) {
      const t = sample.atMs / 1000;
      if (t < fromS) continue;
      if (t + windowS * 0.9 > lastS) return undefined;
      if (this.rate(t, t + windowS) >= share * baseline) return t;
    }
    return undefined;
  }

  /** Seconds on the timeline at which `ended` runs had first ended; undefined if they never did. */
  when(ended: number): number | undefined {
    const sample = this.samples.find((s) => s.ended >= ended);
    return sample ? sample.atMs / 1000 : undefined;
  }

  /** Runs ended per minute in each `bucketS`-second bucket from the start: the curve of a run. */
  curve(bucketS: number): number[] {
    const last = (this.samples.at(-1)?.atMs ?? 0) / 1000;
    const rates: number[] = [];
    for (let from = 0; from < last; from += bucketS)
      rates.push(Math.round(this.rate(from, from + bucketS) * 60));
    return rates;
  }

  /**
   * Waits until `ended` runs have ended; resolves to false once no run has ended for `stallS` seconds. A stall,
   * not a deadline: a slow machine drains slowly but still drains, a stuck fleet ends nothing.
   */
  async until(ended: number, stallS: number): Promise<boolean> {
    while (this.latest() < ended) {
      const lastEndedS = this.when(this.latest()) ?? 0;
      if (this.now() - lastEndedS > stallS) return false;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return true;
  }

  /** The last sample at or before `s`. */
  private at(s: number): Sample | undefined {
    let found: Sample | undefined;
    for (const sample of this.samples) {
      if (sample.atMs / 1000 > s) break;
      found = sample;
    }
    return found;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.url, application_name: MONITOR_APP });
        client.on('error', () => {
          if (this.client === client) this.client = undefined;
        });
        await client.connect();
        this.client = client;
      }
      const { rows } = await this.client.query<{ ended: string }>(
        `SELECT count(*) AS ended FROM prompt_runs WHERE status IN ('done', 'dead')`,
      );
      this.samples.push({ atMs: Date.now() - this.startedMs, ended: Number(rows[0]?.ended ?? 0) });
    } catch {
      // The server is down or full: the gap in the samples is the outage.
      await this.client?.end().catch(() => {});
      this.client = undefined;
    } finally {
      this.busy = false;
    }
  }
}
