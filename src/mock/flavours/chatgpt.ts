import type { Flavour } from '../flavour.ts';
import { configScript, escapeHtml, ICON, page } from '../html.ts';
import { chatScript } from '../pageScript.ts';
import { withParam } from '../render.ts';

const MODEL = 'gpt-5';

/**
 * chatgpt.com, anonymous temporary chat. A hidden textarea shares the composer's id, as on the real page;
 * the send button turns into a stop button while streaming; the turn's action buttons (copy, good, bad,
 * share) appear only once the answer is complete. Citation pills append `?utm_source=chatgpt.com`.
 */
export const chatgpt: Flavour = {
  name: 'chatgpt',
  source: 'chatgpt',
  model: MODEL,
  markup: {
    href: (url) => withParam(url, 'utm_source', 'chatgpt.com'),
    inline: {
      html: (citation, href) =>
        `<span class="" data-state="closed"><span data-testid="webpage-citation-pill" class="citation-pill"><a href="${escapeHtml(href)}" target="_blank" rel="noopener" class="pill-link">${escapeHtml(citation.siteName)}</a></span></span>`,
      label: (citation) => citation.siteName,
    },
  },
  isStartPage: (path) => path === '' || /^c\/[\w-]+$/.test(path),
  startPage: ({ prefix }) =>
    page({
      title: 'ChatGPT',
      css: '.citation-pill{background:#eee;border-radius:8px;padding:0 6px;font-size:12px}.turn-actions{display:flex;gap:4px}',
      body:
        configScript({ prefix, model: MODEL }) +
        '<div id="__next"><main id="main" class="relative h-full w-full"><div id="thread" class="flex flex-col text-sm"></div>' +
        '<form id="composer" class="w-full" data-type="unified-composer">' +
        '<textarea id="prompt-textarea" name="prompt-textarea" aria-hidden="true" tabindex="-1" style="display:none"></textarea>' +
        '<div contenteditable="true" translate="no" class="ProseMirror" id="prompt-textarea" role="textbox" aria-label="Chat with ChatGPT" data-virtualkeyboard="true"><p><br class="ProseMirror-trailingBreak"></p></div>' +
        `<div id="composer-actions"><button id="composer-submit-button" type="button" data-testid="send-button" aria-label="Send prompt" class="composer-submit-btn">${ICON}</button></div>` +
        '</form><p class="disclaimer">ChatGPT can make mistakes. Check important info.</p></main></div>',
      script: chatScript(HOOKS),
    }),
  blocks: {
    rateLimit: { title: 'ChatGPT', text: "You've reached our limit. Try again in 30 seconds." },
    captcha: { kind: 'cloudflare', text: 'Verify you are human by completing the action below.' },
    login: {
      path: 'auth/login?next=%2F',
      title: 'Log in - OpenAI',
      body:
        '<main><h1>Log in or sign up</h1><p>Log in to get answers based on saved chats, plus create images and upload files.</p>' +
        '<button type="button" data-testid="login-button">Log in</button> <button type="button" data-testid="signup-button">Sign up for free</button></main>',
    },
    serverError: {
      title: 'ChatGPT',
      text: 'Something went wrong. A server error occurred; please try again later.',
    },
  },
};

const STOP = `<button type="button" data-testid="stop-button" aria-label="Stop streaming" class="composer-submit-btn">${ICON}</button>`;
const ACTIONS =
  '<div class="turn-actions" role="group" aria-label="Response actions">' +
  `<button type="button" data-testid="copy-turn-action-button" aria-label="Copy">${ICON}</button>` +
  `<button type="button" data-testid="good-response-turn-action-button" aria-label="Good response">${ICON}</button>` +
  `<button type="button" data-testid="bad-response-turn-action-button" aria-label="Bad response">${ICON}</button>` +
  `<button type="button" aria-label="Share">${ICON}</button></div>`;

const HOOKS = `
const thread = $('#thread');
const hooks = {
  sendSelector: '[data-testid="send-button"]',
  stopSelector: '[data-testid="stop-button"]',
  input: () => $('div#prompt-textarea'),
  ready: () => {},
  clear: () => { $('div#prompt-textarea').innerHTML = '<p><br class="ProseMirror-trailingBreak"></p>'; },
  begin(prompt) {
    const n = thread.children.length;
    const user = el('<article data-testid="conversation-turn-' + (n + 1) + '" data-turn="user"><div data-message-author-role="user" data-message-id="' + newId() + '"><div class="whitespace-pre-wrap"></div></div></article>');
    user.querySelector('.whitespace-pre-wrap').textContent = prompt;
    const turn = el('<article data-testid="conversation-turn-' + (n + 2) + '" data-turn="assistant"><div data-message-author-role="assistant" data-message-id="' + newId() + '"><div class="markdown prose streaming-animation"></div></div></article>');
    turn.firstElementChild.setAttribute('data-message-model-slug', config.model);
    thread.append(user, turn);
    const markdown = turn.querySelector('.markdown');
    const swap = (html) => { const button = $('#composer-actions > button'); if (button) button.replaceWith(el(html)); };
    swap(${JSON.stringify(STOP)});
    const end = () => {
      markdown.classList.remove('streaming-animation');
      swap(${JSON.stringify(`<button id="composer-submit-button" type="button" data-testid="send-button" aria-label="Send prompt" class="composer-submit-btn">${ICON}</button>`)});
    };
    return {
      update: (html) => { markdown.innerHTML = html; },
      finish: () => { end(); turn.append(el(${JSON.stringify(ACTIONS)})); },
      interrupt: end,
    };
  },
};
`;
