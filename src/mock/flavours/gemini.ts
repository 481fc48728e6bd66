import { googleSorryRoute } from '../blockPages.ts';
import type { Flavour } from '../flavour.ts';
import { configScript, escapeHtml, ICON, page } from '../html.ts';
import { chatScript } from '../pageScript.ts';
import { withParam } from '../render.ts';

const MODEL = 'Flash';

/**
 * gemini.google.com/app, signed out. Angular custom elements: the input is a Quill editor inside
 * `rich-textarea`; the send button stays disabled until text is typed and gives way to "Stop response"
 * while streaming; each answer is a `model-response` whose `.response-footer` gains `complete` at the end.
 * Links sit in `link-block` elements with `utm_source=gemini`.
 */
export const gemini: Flavour = {
  name: 'gemini',
  source: 'gemini',
  model: MODEL,
  markup: {
    href: (url) => withParam(url, 'utm_source', 'gemini'),
    inline: {
      html: (citation, href) =>
        `<link-block class="ng-star-inserted"><a href="${escapeHtml(href)}" target="_blank" rel="noopener" class="link-chip">${escapeHtml(citation.siteName)}</a></link-block>`,
      label: (citation) => citation.siteName,
    },
  },
  isStartPage: (path) => path === 'app' || /^app\/[\w-]+$/.test(path),
  startPage: ({ prefix }) =>
    page({
      title: 'Google Gemini',
      css: 'rich-textarea,input-area-v2,model-response,user-query,message-content,chat-window{display:block}.link-chip{background:#eef;border-radius:8px;padding:0 6px}.send-button[disabled]{opacity:.4}',
      body:
        configScript({ prefix, model: MODEL }) +
        '<chat-app id="app-root"><bard-mode-switcher>' +
        `<button type="button" data-test-id="bard-mode-menu-button" aria-label="Open mode picker, currently ${MODEL}" aria-haspopup="menu"><span class="mode-title">${MODEL}</span>${ICON}</button>` +
        '</bard-mode-switcher><chat-window><div id="chat-history" class="chat-history"></div>' +
        '<input-area-v2><rich-textarea class="text-input-field_textarea" enterkeyhint="send">' +
        '<div class="ql-editor ql-blank textarea new-input-ui" data-gramm="false" contenteditable="true" role="textbox" aria-multiline="true" aria-label="Enter a prompt for Gemini" data-placeholder="Ask Gemini"><p><br></p></div>' +
        '</rich-textarea><div class="send-button-container" data-test-id="send-button-container">' +
        `<button type="button" class="send-button submit" aria-label="Send message" aria-disabled="true" disabled>${ICON}</button>` +
        '</div></input-area-v2></chat-window><p class="disclaimer">Gemini can make mistakes, so double-check it</p></chat-app>',
      script: chatScript(HOOKS),
    }),
  rootRedirect: 'app',
  route: googleSorryRoute,
  blocks: {
    rateLimit: { title: 'Google Gemini', text: "You've reached your limit for now. Please try again later." },
    captcha: { kind: 'google' },
    login: {
      path: 'accounts.google.com/v3/signin/identifier?continue=https%3A%2F%2Fgemini.google.com%2Fapp&flowName=GlifWebSignIn',
      title: 'Sign in - Google Accounts',
      body: '<main><h1>Sign in</h1><p>to continue to Gemini</p><label>Email or phone <input type="email" name="identifier"></label><button type="button">Next</button></main>',
    },
    serverError: {
      title: 'Error 500 (Server Error)!!1',
      text: '500. That’s an error. There was an error. That’s all we know.',
    },
  },
};

const STOP = `<button type="button" class="send-button stop" aria-label="Stop response">${ICON}</button>`;
const SEND = `<button type="button" class="send-button submit" aria-label="Send message" aria-disabled="true" disabled>${ICON}</button>`;

const FOOTER = `<div class="buttons-container"><button type="button" aria-label="Good response">${ICON}</button><button type="button" aria-label="Bad response">${ICON}</button><button type="button" aria-label="Copy response">${ICON}</button></div>`;

const HOOKS = `
const chatHistory = $('#chat-history');
const slot = $('.send-button-container');
const hooks = {
  sendSelector: 'button.send-button.submit',
  stopSelector: 'button[aria-label="Stop response"]',
  input: () => $('rich-textarea .ql-editor'),
  ready(hasText) {
    const button = $('button.send-button.submit');
    if (!button) return;
    button.disabled = !hasText;
    button.setAttribute('aria-disabled', String(!hasText));
    $('rich-textarea .ql-editor').classList.toggle('ql-blank', !hasText);
  },
  clear: () => { $('rich-textarea .ql-editor').innerHTML = '<p><br></p>'; },
  begin(prompt) {
    const container = el('<div class="conversation-container" id="' + newId() + '"><user-query><div class="query-text"><p class="query-text-line"></p></div></user-query>' +
      '<model-response><response-container><div class="response-container"><message-content class="model-response-text"><div class="markdown markdown-main-panel" dir="ltr"></div></message-content>' +
      '<div class="response-footer"></div></div></response-container></model-response></div>');
    container.querySelector('.query-text-line').textContent = prompt;
    chatHistory.append(container);
    window.history.pushState({}, '', config.prefix + 'app/' + newId().replace(/-/g, '').slice(0, 16));
    const markdown = container.querySelector('.markdown');
    slot.replaceChildren(el(${JSON.stringify(STOP)}));
    const end = () => slot.replaceChildren(el(${JSON.stringify(SEND)}));
    return {
      update: (html) => { markdown.innerHTML = html; },
      finish: () => {
        end();
        const footer = container.querySelector('.response-footer');
        footer.append(el(${JSON.stringify(FOOTER)}));
        footer.classList.add('complete');
      },
      interrupt: end,
    };
  },
};
`;
