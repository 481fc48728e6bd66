/**
 * The failures of an operation its caller must tell apart. Each message says what to change; the API
 * answers with it (400, or 404 for something that is not there) and the terminal commands print it.
 */

/** Input the operation cannot act on (a bad timestamp, an unreadable body): nothing was done. */
export class InvalidInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/** A source name that is not in ai_sources; `known` lists the ones that are. Nothing was done. */
export class UnknownSourceError extends Error {
  readonly aiSource: string;
  readonly known: readonly string[];
  constructor(aiSource: string, known: readonly string[]) {
    super(`unknown AI source '${aiSource}'; known sources: ${known.join(', ')}`);
    this.name = 'UnknownSourceError';
    this.aiSource = aiSource;
    this.known = known;
  }
}

/** A run attempt's artifact file that is not there: no such run or attempt, none saved, or no such file. */
export class ArtifactNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactNotFoundError';
  }
}
