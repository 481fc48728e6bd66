/**
 * The JavaScript the mock's pages run, as source text. The server streams an answer as lines of JSON
 * (`{"t":"html"}` with the answer so far, `{"t":"done"}`, or `{"t":"navigate"}` to a fault page); these
 * helpers read it. Each flavour supplies `hooks` that build its own DOM around the answer.
 */

/** `readAnswer(url, body, onEvent, signal)`: POSTs and calls onEvent per line; resolves at the end. */
export const STREAM_READER = `
const readAnswer = async (url, body, onEvent, signal) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\\n');
    while (end >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (line) onEvent(JSON.parse(line));
      end = buffer.indexOf('\\n');
    }
  }
};
const config = JSON.parse(document.getElementById('mock-config').textContent);
const $ = (selector, root = document) => root.querySelector(selector);
const el = (html) => {
  const template = document.createElement('template');
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
};
const newId = () => Array.from({ length: 4 }, () => Math.floor(Math.random() * 65536).toString(16).padStart(4, '0')).join('-');
`;

/**
 * A chat page's behaviour. `hooks` (flavour source text) must define:
 * `input()`, `sendSelector`, `stopSelector`, `ready(hasText)`, `clear()`, and `begin(prompt)` returning
 * `{ update(html), finish(event), interrupt() }`.
 */
export function chatScript(hooks: string): string {
  return `(() => {
${STREAM_READER}
${hooks}
const input = hooks.input();
let busy = false;
let stop;
const promptText = () => (input.tagName === 'TEXTAREA' ? input.value : input.innerText).trim();
const refresh = () => hooks.ready(!busy && promptText().length > 0);
const submit = async () => {
  const prompt = promptText();
  if (busy || !prompt) return;
  busy = true;
  hooks.clear();
  refresh();
  const turn = hooks.begin(prompt);
  const controller = new AbortController();
  stop = () => controller.abort();
  let finished = false;
  let leaving = false;
  try {
    await readAnswer(config.prefix + 'api/answer', { prompt }, (event) => {
      if (event.t === 'navigate') {
        leaving = true;
        location.assign(event.url);
      } else if (event.t === 'html') turn.update(event.html);
      else if (event.t === 'done') {
        finished = true;
        turn.finish(event);
      }
    }, controller.signal);
  } catch {
    // stopped by the user, or the connection dropped: the turn ends unfinished below
  }
  if (leaving) return;
  if (!finished) turn.interrupt();
  busy = false;
  stop = undefined;
  refresh();
};
input.addEventListener('input', refresh);
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  }
});
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (target?.closest(hooks.sendSelector)) {
    event.preventDefault();
    submit();
  } else if (target?.closest(hooks.stopSelector)) stop?.();
});
refresh();
})();`;
}
