/**
 * Serves the requests of one worker process's job slots with as few statements as it can: the requests
 * made while a statement is in flight (or in the same turn of the event loop) are served together by the
 * next one. A request made alone waits for no one, so batches form only when slots finish together, as
 * they do when jobs are short; a process whose jobs take seconds sends what it sent before, one at a time.
 */
export class StatementBatcher<In, Out> {
  readonly #run: (inputs: In[]) => Promise<Out[]>;
  #waiting: { input: In; resolve: (output: Out) => void; reject: (error: unknown) => void }[] = [];
  #draining = false;

  /** `run` answers every input of a batch, in order; if it throws, every request of that batch fails. */
  constructor(run: (inputs: In[]) => Promise<Out[]>) {
    this.#run = run;
  }

  submit(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ input, resolve, reject });
      if (this.#draining) return;
      this.#draining = true;
      // After this turn, so that slots woken together (a NOTIFY) share the first statement.
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      try {
        const outputs = await this.#run(batch.map((request) => request.input));
        if (outputs.length !== batch.length)
          throw new Error(`a batch of ${batch.length} got ${outputs.length} answers`);
        for (const [index, request] of batch.entries()) request.resolve(outputs[index] as Out);
      } catch (error) {
        for (const request of batch) request.reject(error);
      }
    }
    this.#draining = false;
  }
}
