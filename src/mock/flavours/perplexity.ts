import type { Flavour } from '../flavour.ts';
import { configScript, escapeHtml, ICON, page } from '../html.ts';
import { chatScript } from '../pageScript.ts';

const MODEL = 'Best';
/** How long after the text the sources pane fills, as on the real site. */
export const SOURCES_DELAY_MS = 300;

/**
 * www.perplexity.ai. A Lexical editor `#ask-input`; the Submit button ignores the pointer
 * (`pointer-events-none`) until text registers; "Stop" while streaming; the answer in
 * `div.prose[data-renderer="lm"]`; when the text is final, a `group/final-text` row with "Helpful" appears,
 * and the sources pane fills about 300 ms later still.
 */
export const perplexity: Flavour = {
  name: 'perplexity',
  source: 'perplexity',
  model: MODEL,
  markup: {
    href: (url) => url,
    panel: (citations, hrefs) =>
      citations
        .map(
          (citation, index) =>
            `<div class="source-card"><a href="${escapeHtml(hrefs[index] ?? citation.url)}" target="_blank" rel="noopener" class="line-clamp-2">${escapeHtml(citation.pageTitle)}</a>` +
            `<div class="source-meta"><span class="source-index">${index + 1}</span> <span class="source-domain">${escapeHtml(new URL(citation.url).hostname.replace(/^www\./, ''))}</span></div></div>`,
        )
        .join(''),
  },
  isStartPage: (path) => path === '' || /^search\/[\w-]+$/.test(path),
  startPage: ({ prefix }) =>
    page({
      title: 'Perplexity',
      css: '.pointer-events-none{pointer-events:none;opacity:.4}.source-card{border:1px solid #ddd;margin:4px;padding:4px}',
      body:
        configScript({ prefix, model: MODEL, sourcesDelayMs: SOURCES_DELAY_MS }) +
        '<div id="root"><main class="flex"><div id="thread" class="max-w-threadContentWidth"></div>' +
        '<aside class="context-pane"><div data-context-pane="true" class="flex flex-col"></div></aside>' +
        '<div class="ask-input-container"><div class="relative">' +
        '<div id="ask-input" contenteditable="true" role="textbox" spellcheck="true" data-lexical-editor="true" aria-placeholder="Ask anything…"><p><br></p></div>' +
        '</div><div class="flex items-center justify-between">' +
        `<div data-testid="ask-input-mode-toggle-width-wrapper"><button type="button" aria-haspopup="menu" aria-expanded="false" class="mode-toggle">${MODEL}</button></div>` +
        `<div id="submit-slot"><button type="button" aria-label="Submit" class="bg-super pointer-events-none">${ICON}</button></div>` +
        '</div></div></main></div>',
      script: chatScript(HOOKS),
    }),
  blocks: {
    rateLimit: {
      title: 'Perplexity',
      text: "Too many requests. You've reached your limit, please try again later.",
    },
    captcha: { kind: 'cloudflare', text: 'Performing security verification. Verifying you are not a bot.' },
    login: {
      path: 'auth/signin?redirect=%2F',
      title: 'Perplexity',
      body:
        '<main><h1>Welcome</h1><p>Sign in or create an account to continue</p>' +
        '<button type="button">Continue with Google</button> <button type="button">Continue with Apple</button></main>',
    },
    serverError: {
      title: 'Perplexity',
      text: 'Internal Server Error. Something went wrong, please try again.',
    },
  },
};

const STOP = `<button type="button" aria-label="Stop" class="bg-super">${ICON}</button>`;
const SUBMIT = `<button type="button" aria-label="Submit" class="bg-super pointer-events-none">${ICON}</button>`;
const FINAL =
  '<div class="flex items-center justify-between gap-1 group/final-text">' +
  `<button type="button" aria-label="Share">${ICON}</button><button type="button" aria-label="Copy">${ICON}</button>` +
  `<button type="button" aria-label="Helpful">${ICON}</button><button type="button" aria-label="Not helpful">${ICON}</button></div>`;

const HOOKS = `
const thread = $('#thread');
const slot = $('#submit-slot');
const hooks = {
  sendSelector: 'button[aria-label="Submit"]',
  stopSelector: 'button[aria-label="Stop"]',
  input: () => $('#ask-input'),
  ready(hasText) {
    $('button[aria-label="Submit"]')?.classList.toggle('pointer-events-none', !hasText);
  },
  clear: () => { $('#ask-input').innerHTML = '<p><br></p>'; },
  begin(prompt) {
    const n = thread.children.length;
    const block = el('<div class="answer-block"><div class="group/query"><h1 class="query"></h1></div>' +
      '<div id="markdown-content-' + n + '" class="gap-y-md"><div class="prose dark:prose-invert inline leading-relaxed break-words min-w-0" data-renderer="lm"></div></div></div>');
    block.querySelector('h1').textContent = prompt;
    thread.append(block);
    window.history.pushState({}, '', config.prefix + 'search/' + (prompt.toLowerCase().match(/[a-z0-9]+/g) || ['q']).slice(0, 6).join('-') + '-' + newId().slice(0, 9).replace('-', ''));
    const prose = block.querySelector('.prose');
    const pane = $('[data-context-pane="true"]');
    pane.replaceChildren();
    slot.replaceChildren(el(${JSON.stringify(STOP)}));
    const end = () => slot.replaceChildren(el(${JSON.stringify(SUBMIT)}));
    return {
      update: (html) => { prose.innerHTML = html; },
      finish(event) {
        end();
        block.append(el(${JSON.stringify(FINAL)}));
        setTimeout(() => { pane.innerHTML = event.panel || ''; }, config.sourcesDelayMs);
      },
      interrupt: end,
    };
  },
};
`;
