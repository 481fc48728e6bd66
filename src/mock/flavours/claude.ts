import type { Flavour } from '../flavour.ts';
import { configScript, escapeHtml, ICON, page } from '../html.ts';
import { chatScript } from '../pageScript.ts';

const MODEL = 'Sonnet 4.5';

/**
 * claude.ai/new. A ProseMirror `chat-input`; `chat-input-send` gives way to `chat-input-stop` while
 * streaming; the message wrapper's `data-is-streaming` goes from "true" to "false" when the answer is
 * complete (an interrupted stream drops the attribute instead). Web citations are `group/tag` chips.
 */
export const claude: Flavour = {
  name: 'claude',
  source: 'claude',
  model: MODEL,
  markup: {
    href: (url) => url,
    paragraph: (_index, inner) => `<p class="whitespace-normal break-words">${inner}</p>`,
    inline: {
      html: (citation, href) =>
        `<span class="inline-flex"><a href="${escapeHtml(href)}" target="_blank" rel="noopener" class="group/tag relative h-[18px] rounded-full inline-flex items-center">${escapeHtml(citation.siteName)}</a></span>`,
      label: (citation) => citation.siteName,
    },
  },
  isStartPage: (path) => path === 'new' || /^chat\/[\w-]+$/.test(path),
  startPage: ({ prefix }) =>
    page({
      title: 'Claude',
      css: 'a[class*="group/tag"]{background:#f1ede4;border-radius:9px;padding:0 6px;font-size:12px}',
      body:
        configScript({ prefix, model: MODEL }) +
        '<div class="root"><main><div data-testid="chat-thread" class="flex-1 flex flex-col gap-3"></div>' +
        '<fieldset class="flex w-full flex-col"><div class="relative">' +
        '<div contenteditable="true" role="textbox" translate="no" class="tiptap ProseMirror" data-testid="chat-input" aria-label="Write your prompt to Claude" aria-multiline="true"><p data-placeholder="How can I help you today?" class="is-empty is-editor-empty"><br class="ProseMirror-trailingBreak"></p></div>' +
        '</div><div class="flex items-center gap-2">' +
        `<button type="button" data-testid="model-selector-dropdown" aria-haspopup="menu" class="model-selector">${MODEL}</button>` +
        `<div id="send-slot"><button type="button" data-testid="chat-input-send" aria-label="Send message">${ICON}</button></div>` +
        '</div></fieldset></main></div>',
      script: chatScript(HOOKS),
    }),
  rootRedirect: 'new',
  blocks: {
    rateLimit: { title: 'Claude', text: 'You are out of free messages until 5:00 PM. Try again later.' },
    captcha: { kind: 'cloudflare', text: 'Verify you are human by completing the action below.' },
    login: {
      path: 'login?returnTo=%2Fnew',
      title: 'Claude',
      body:
        '<main><h1>Impossible? Possible.</h1><p>The AI for problem solvers</p>' +
        '<button type="button" data-testid="login-with-google">Continue with Google</button> ' +
        '<button type="button" data-testid="login-with-apple">Continue with Apple</button>' +
        '<label>Email <input type="email" data-testid="email"></label><button type="button">Continue with email</button></main>',
    },
    serverError: {
      title: 'Claude',
      text: 'Internal server error. Claude is having trouble right now; please try again.',
    },
  },
};

const STOP = `<button type="button" data-testid="chat-input-stop" aria-label="Stop response">${ICON}</button>`;
const SEND = `<button type="button" data-testid="chat-input-send" aria-label="Send message">${ICON}</button>`;
const ACTIONS =
  '<div class="message-actions" role="group">' +
  `<button type="button" data-testid="action-bar-copy" aria-label="Copy">${ICON}</button>` +
  `<button type="button" aria-label="Give positive feedback">${ICON}</button><button type="button" aria-label="Give negative feedback">${ICON}</button>` +
  `<button type="button" data-testid="action-bar-retry" aria-label="Retry">${ICON}</button></div>`;

const HOOKS = `
const thread = $('[data-testid="chat-thread"]');
const slot = $('#send-slot');
const hooks = {
  sendSelector: '[data-testid="chat-input-send"]',
  stopSelector: '[data-testid="chat-input-stop"]',
  input: () => $('[data-testid="chat-input"]'),
  ready: () => {},
  clear: () => { $('[data-testid="chat-input"]').innerHTML = '<p><br class="ProseMirror-trailingBreak"></p>'; },
  begin(prompt) {
    const user = el('<div class="mb-1 group"><div data-testid="user-message" class="font-user-message"><p class="whitespace-pre-wrap break-words"></p></div></div>');
    user.querySelector('p').textContent = prompt;
    const wrapper = el('<div data-is-streaming="true" class="group relative pb-3"><div data-testid="assistant-message"><div class="font-claude-response"><div class="standard-markdown grid-cols-1 grid gap-2"></div></div></div></div>');
    thread.append(user, wrapper);
    if (!location.pathname.includes('/chat/')) window.history.pushState({}, '', config.prefix + 'chat/' + newId() + '-' + newId());
    const markdown = wrapper.querySelector('.standard-markdown');
    slot.replaceChildren(el(${JSON.stringify(STOP)}));
    const end = () => slot.replaceChildren(el(${JSON.stringify(SEND)}));
    return {
      update: (html) => { markdown.innerHTML = html; },
      finish() {
        end();
        wrapper.append(el(${JSON.stringify(ACTIONS)}));
        wrapper.setAttribute('data-is-streaming', 'false');
      },
      interrupt() {
        end();
        wrapper.removeAttribute('data-is-streaming');
      },
    };
  },
};
`;
