import { InvalidInputError, UnknownSourceError } from '../../operations/errors.ts';
import { UsageError } from '../../usageError.ts';

/**
 * Runs an operation of src/operations/ for a command: its refusals (bad input, an unknown source, which
 * the API answers with 400) become a UsageError, one line on stderr and exit code 2. Nothing was done.
 */
export async function refusalsAsUsage<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof InvalidInputError || error instanceof UnknownSourceError) {
      throw new UsageError(error.message, { cause: error });
    }
    throw error;
  }
}
