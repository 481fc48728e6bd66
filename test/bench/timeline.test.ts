import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Timeline } from '../../bench/chaos/timeline.ts';

/** A timeline fed by hand: `ended` runs per second from each [fromS, perS] step on, sampled every 250 ms. */
function timelineOf(
  untilS: number,
  steps: [fromS: number, perS: number][],
  gaps: [fromS: number, toS: number][],
) {
  const timeline = new Timeline('postgres://unused');
  let ended = 0;
  for (let ms = 0; ms <= untilS * 1000; ms += 250) {
    const s = ms / 1000;
    const perS = steps.filter(([fromS]) => fromS <= s).at(-1)?.[1] ?? 0;
    ended += perS / 4;
    if (gaps.some(([from, to]) => s > from && s < to)) continue;
    timeline.samples.push({ atMs: ms, ended });
  }
  return timeline;
}

// Two runs a second; none from 100 s (the fault, over at 112 s) to 118 s; two a second again from 118 s. A 15 s
// window holds 75% of full speed from 114.25 s on.
const steps: [number, number][] = [
  [0, 2],
  [100, 0],
  [118, 2],
];
const recovered = (timeline: Timeline) => timeline.recoveredAt(112, 2, 0.75, 15);

test('recoveredAt finds full speed again after the fault', () => {
  const at = recovered(timelineOf(300, steps, []));
  assert.ok(at !== undefined && at >= 114 && at <= 114.5, `recovered at ${at}`);
});

test('a 2.5 s gap in the samples before full speed does not hide the recovery', () => {
  const at = recovered(timelineOf(300, steps, [[125, 127.5]]));
  assert.ok(at !== undefined && at >= 114 && at <= 114.5, `recovered at ${at}`);
});

test('recoveredAt says undefined when the batch ends before a whole window after the fault', () => {
  assert.equal(recovered(timelineOf(125, steps, [])), undefined);
});

test('recoveredAt says undefined when the rate never comes back', () => {
  assert.equal(recovered(timelineOf(300, [...steps, [118, 1]], [])), undefined);
});
