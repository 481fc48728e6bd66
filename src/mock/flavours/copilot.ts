import type { Flavour } from '../flavour.ts';
import { configScript, escapeHtml, ICON, page } from '../html.ts';
import { chatScript } from '../pageScript.ts';

const MODES = [
  ['quick', 'Quick response'],
  ['smart', 'Smart'],
  ['reasoning', 'Think Deeper'],
] as const;
const MODEL = 'Smart';

/**
 * copilot.microsoft.com. A plain `textarea#userInput`; `submit-button`, then `stop-button` while
 * streaming; the answer in `highlighted-chats` inside the `ai-message`; thumbs up/down once complete.
 * The chat-mode buttons are toggles; the pressed one is the model. Citations are plain outbound links.
 */
export const copilot: Flavour = {
  name: 'copilot',
  source: 'copilot',
  model: MODEL,
  markup: {
    href: (url) => url,
    inline: {
      html: (citation, href) =>
        `<a href="${escapeHtml(href)}" target="_blank" rel="noopener" class="citation-link" data-testid="citation-link">${escapeHtml(citation.siteName)}</a>`,
      label: (citation) => citation.siteName,
    },
  },
  isStartPage: (path) => path === '' || /^chats\/[\w-]+$/.test(path),
  startPage: ({ prefix }) =>
    page({
      title: 'Microsoft Copilot: Your AI companion',
      css: '#userInput{width:90%;min-height:48px}.citation-link{background:#eef;border-radius:6px;padding:0 4px}',
      body:
        configScript({ prefix, model: MODEL }) +
        '<div id="app"><main data-testid="chat-page"><div id="thread" class="flex flex-col"></div>' +
        '<div class="composer"><div role="group" aria-label="Chat mode">' +
        MODES.map(
          ([id, label]) =>
            `<button type="button" data-testid="chat-mode-${id}" title="${label}" aria-pressed="${label === MODEL}">${label}</button>`,
        ).join('') +
        '</div><textarea id="userInput" data-testid="composer-input" placeholder="Message Copilot" aria-label="Ask me anything..." rows="1"></textarea>' +
        `<div id="submit-slot"><button type="button" data-testid="submit-button" aria-label="Submit message">${ICON}</button></div>` +
        '</div></main></div>',
      script: chatScript(HOOKS),
    }),
  blocks: {
    rateLimit: {
      title: 'Microsoft Copilot',
      text: "Too many requests. You've reached the limit for now; try again later.",
    },
    captcha: { kind: 'cloudflare', text: 'Please verify you are human to continue.' },
    login: {
      path: 'login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=copilot&redirect_uri=%2F',
      title: 'Sign in to your account',
      body: '<main><h1>Sign in</h1><p>Sign in to continue to Copilot</p><input type="email" name="loginfmt" aria-label="Email, phone, or Skype"><button type="button">Next</button></main>',
    },
    serverError: {
      title: 'Microsoft Copilot',
      text: 'Internal Server Error. Something went wrong on our end.',
    },
  },
};

const STOP = `<button type="button" data-testid="stop-button" aria-label="Stop responding">${ICON}</button>`;
const SUBMIT = `<button type="button" data-testid="submit-button" aria-label="Submit message">${ICON}</button>`;

const HOOKS = `
const thread = $('#thread');
const slot = $('#submit-slot');
const hooks = {
  sendSelector: '[data-testid="submit-button"]',
  stopSelector: '[data-testid="stop-button"]',
  input: () => $('#userInput'),
  ready: () => {},
  clear: () => { $('#userInput').value = ''; },
  begin(prompt) {
    const n = thread.children.length;
    const user = el('<div data-content="user-message" class="user-message"><div class="whitespace-pre-wrap"></div></div>');
    user.firstElementChild.textContent = prompt;
    const turn = el('<div data-content="ai-message" class="group/ai-message"><div data-testid="highlighted-chats" class="space-y-3"></div></div>');
    thread.append(user, turn);
    const answer = turn.firstElementChild;
    slot.replaceChildren(el(${JSON.stringify(STOP)}));
    const end = () => slot.replaceChildren(el(${JSON.stringify(SUBMIT)}));
    return {
      update: (html) => { answer.innerHTML = html; },
      finish() {
        end();
        const id = 'message-' + (n + 1);
        turn.append(el('<div class="message-actions"><button type="button" data-testid="' + id + '-thumbs-up-button" aria-label="Like">${ICON}</button><button type="button" data-testid="' + id + '-thumbs-down-button" aria-label="Dislike">${ICON}</button><button type="button" data-testid="copy-message-button" aria-label="Copy">${ICON}</button></div>'));
      },
      interrupt: end,
    };
  },
};
`;
