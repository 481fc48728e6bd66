import { type ChildProcess, fork } from 'node:child_process';

/** What every benchmark child says: ready once set up, or the error that stopped it. */
type BaseMessage = { type: 'ready' } | { type: 'error'; message: string };

/**
 * A benchmark's job processes: `processes` copies of the script at `scriptUrl`, forked with the arguments
 * `argvFor(index)` gives, talked to over IPC. A child that fails or exits badly makes `check()` throw and
 * rejects whatever waits on it.
 */
export class BenchChildren<FromChild extends { type: string } | BaseMessage> {
  readonly children: ChildProcess[] = [];
  private readonly waiting = new Map<ChildProcess, (message: FromChild | BaseMessage) => void>();
  private failure: Error | null = null;

  constructor(scriptUrl: string, processes: number, argvFor: (index: number) => string[]) {
    for (let index = 0; index < processes; index++) {
      const child = fork(new URL(scriptUrl).pathname, argvFor(index), {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.on('message', (message: FromChild | BaseMessage) => {
        if (message.type === 'error' && 'message' in message) {
          this.failure = new Error(`worker ${index} failed: ${message.message}`);
        }
        this.waiting.get(child)?.(message);
      });
      child.on('exit', (code) => {
        if (code !== 0 && code !== null)
          this.failure ??= new Error(`worker ${index} exited with code ${code}`);
        this.waiting.get(child)?.({ type: 'error', message: `exited with code ${code}` });
      });
      this.children.push(child);
    }
  }

  check(): void {
    if (this.failure) throw this.failure;
  }

  /** The child's next message of `type`; rejects on its error. */
  next<T extends FromChild['type']>(child: ChildProcess, type: T): Promise<Extract<FromChild, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.waiting.set(child, (message) => {
        if (message.type === 'error')
          reject(new Error(`worker failed: ${(message as { message: string }).message}`));
        else if (message.type === type) {
          this.waiting.delete(child);
          resolve(message as Extract<FromChild, { type: T }>);
        }
      });
    });
  }

  /** Sends `request` and waits for the child's `reply`. */
  ask<T extends FromChild['type']>(
    child: ChildProcess,
    request: { type: string },
    reply: T,
  ): Promise<Extract<FromChild, { type: T }>> {
    const answer = this.next(child, reply);
    child.send(request);
    return answer;
  }

  async ready(): Promise<void> {
    await Promise.all(this.children.map((child) => this.next(child, 'ready' as FromChild['type'])));
  }

  go(): void {
    for (const child of this.children) child.send({ type: 'go' });
  }

  kill(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}
