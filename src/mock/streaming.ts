import type { ServerResponse } from 'node:http';
import type { ComposedAnswer } from './answer.ts';
import { type AnswerMarkup, renderAnswer, unitCount } from './render.ts';

/** About this many updates per answer, spread evenly over the latency. */
const CHUNKS = 12;

export interface StreamPlan {
  answer: ComposedAnswer;
  markup: AnswerMarkup;
  latencyMs: number;
  /** `hang`: stop sending halfway and never finish; `half`: end the body halfway without finishing. */
  fault?: 'hang' | 'half';
  onComplete(): void;
}

/**
 * Streams an answer as lines of JSON: `{"t":"html","html":…}` with the answer so far, then
 * `{"t":"done","panel":…}` (the sources panel, for sites that have one). Returns a function that stops
 * the stream's timers; the stream also stops when the browser goes away.
 */
export function streamAnswer(response: ServerResponse, plan: StreamPlan): () => void {
  response.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  response.flushHeaders();
  const units = unitCount(plan.answer);
  const chunks = Math.max(1, Math.min(CHUNKS, units));
  const last = plan.fault ? Math.floor(chunks / 2) : chunks;
  const interval = plan.latencyMs / chunks;
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const send = (event: object) => response.write(`${JSON.stringify(event)}\n`);

  const tick = () => {
    sent += 1;
    send({ t: 'html', html: renderAnswer(plan.answer, plan.markup, Math.ceil((units * sent) / chunks)) });
    if (sent < last) {
      timer = setTimeout(tick, interval);
      return;
    }
    if (plan.fault === 'hang') return;
    if (!plan.fault) {
      const { panel } = plan.markup;
      send({
        t: 'done',
        panel: panel
          ? panel(
              plan.answer.citations,
              plan.answer.citations.map((c) => plan.markup.href(c.url)),
            )
          : null,
      });
      plan.onComplete();
    }
    response.end();
  };
  const stop = () => clearTimeout(timer);
  response.on('close', stop);
  timer = setTimeout(tick, interval);
  return stop;
}
