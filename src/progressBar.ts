import { Presets, SingleBar } from 'cli-progress';

/**
 * A progress bar on stderr (`format` in cli-progress's tokens). Off a terminal (CI, a log file) it prints a
 * line every 5 s instead of redrawing.
 */
export function progressBar(format: string, stream: NodeJS.WriteStream = process.stderr): SingleBar {
  return new SingleBar(
    { format, hideCursor: true, stream, noTTYOutput: true, notTTYSchedule: 5_000 },
    Presets.shades_classic,
  );
}
