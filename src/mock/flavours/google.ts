import type { ComposedAnswer } from '../answer.ts';
import {
  type BlockResponse,
  blankPage,
  faultPath,
  googleSorryRoute,
  rateLimitPage,
  redirectResponse,
  serverErrorPage,
} from '../blockPages.ts';
import type { Flavour, StartPageContext } from '../flavour.ts';
import { configScript, escapeHtml, ICON, page } from '../html.ts';
import { STREAM_READER } from '../pageScript.ts';

/** Paragraphs shown before "Show more" is clicked. */
const FOLD = 2;

/**
 * Google Search with an AI Overview (`/search?q=…`). No input: the query is in the URL. The overview
 * streams into `#m-x-content`; paragraphs past the fold stay hidden until `Show more AI Overview` is
 * clicked; when complete, feedback buttons appear inside the container and the sources fill
 * `div[data-subtree="msc"]`. The "not available" notice is always in the DOM, hidden, as on the real page.
 * A query containing `[[aio:none]]` gets no overview at all. The search page draws the overview's fault
 * and sample as it loads, and its answer request brings them.
 */
export const google: Flavour = {
  name: 'google',
  source: 'google_ai_overview',
  model: null,
  markup: {
    href: (url) => url,
    paragraph: (index, inner) => (index < FOLD ? `<p>${inner}</p>` : `<p class="aio-more">${inner}</p>`),
    panel: (citations, hrefs) =>
      `<ul class="aio-source-list">${citations
        .map(
          (citation, index) =>
            `<li class="aio-source"><a href="${escapeHtml(hrefs[index] ?? citation.url)}" target="_blank" rel="noopener" class="KEVENd">${escapeHtml(citation.pageTitle)}</a>` +
            `<div class="source-site">${escapeHtml(citation.siteName)}</div></li>`,
        )
        .join('')}</ul>`,
  },
  isStartPage: (path) => path === 'search',
  startPage: search,
  answersFromRequest: true,
  indexPath: 'search?q=best+CRM+for+startups&hl=en',
  route: googleSorryRoute,
  blocks: {
    rateLimit: {
      title: '429 Too Many Requests',
      text: "429. That’s an error. We're sorry, but you have sent too many requests to us recently. That’s all we know.",
    },
    captcha: { kind: 'google' },
    login: {
      path: 'accounts.google.com/ServiceLogin?hl=en&continue=https%3A%2F%2Fwww.google.com%2F',
      title: 'Sign in - Google Accounts',
      body: '<main><h1>Sign in</h1><p>Use your Google Account</p><input type="email" name="identifier"><button type="button">Next</button></main>',
    },
    serverError: {
      title: 'Error 500 (Server Error)!!1',
      text: '500. That’s an error. There was an error. That’s all we know.',
    },
  },
};

/** Whether a search for `query` shows an AI Overview: not for an empty query, nor one with `[[aio:none]]`. */
export function hasOverview(query: string): boolean {
  return query.trim() !== '' && !/\[\[aio:none\]\]/i.test(query);
}

/** GET search?q=…: a fault the stream cannot show (all but hang and half) is the search page itself. */
function search({ prefix, url, answers }: StartPageContext): string | BlockResponse {
  const q = url.searchParams.get('q') ?? '';
  const fault = answers.drawFault(q);
  if (fault === '429') return rateLimitPage(google);
  if (fault === '500') return serverErrorPage(google);
  if (fault === 'blank') return blankPage();
  if (fault === 'captcha' || fault === 'login') {
    return redirectResponse(`${prefix}${faultPath(google, fault, `${url.pathname}${url.search}`)}`);
  }
  const sample = hasOverview(q) ? answers.nextSample(q) : undefined;
  return searchPage(prefix, q, sample, fault);
}

function searchPage(
  prefix: string,
  q: string,
  sample: { answer: ComposedAnswer; index: number } | undefined,
  streamFault: 'hang' | 'half' | undefined,
): string {
  const answer = sample?.answer;
  const overview = answer
    ? '<div class="aio-block" data-hveid="CAEQAA"><div class="aio-header"><h1 class="Fzsovc">AI Overview</h1></div>' +
      '<div id="m-x-content" data-mcpr="" class="YzCcne"><div class="aio-body" aria-busy="true"></div></div>' +
      '<div class="aio-expander" role="button" tabindex="0" aria-label="Show more AI Overview" aria-controls="m-x-content" aria-expanded="false"><span>Show more</span></div>' +
      '<div data-subtree="msc" class="aio-sources"></div></div>'
    : '';
  const results = (answer?.citations ?? [])
    .slice(0, 3)
    .map(
      (c) =>
        `<div class="g"><a href="${escapeHtml(c.url)}"><h3 class="LC20lb">${escapeHtml(c.pageTitle)}</h3></a><cite>${escapeHtml(c.siteName)}</cite></div>`,
    )
    .join('');
  return page({
    title: `${q} - Google Search`,
    css: '#m-x-content:not(.expanded) .aio-more{display:none}.aio-expander{cursor:pointer;color:#1a0dab}',
    body:
      configScript({
        prefix,
        q,
        sample: sample?.index ?? null,
        streamFault: streamFault ?? null,
        hasOverview: Boolean(answer),
      }) +
      `<div id="searchform"><form action="${prefix}search" role="search"><textarea name="q" class="gLFyf" aria-label="Search">${escapeHtml(q)}</textarea></form></div>` +
      `<div id="rcnt"><div id="center_col"><div id="rso">${overview}` +
      '<div class="aio-unavailable" style="display:none">An AI Overview is not available for this search</div>' +
      `${results}</div></div></div>`,
    script: SCRIPT,
  });
}

const FEEDBACK = `<div class="aio-feedback"><button type="button" aria-label="Positive feedback">${ICON}</button><button type="button" aria-label="Negative feedback">${ICON}</button></div>`;

const SCRIPT = `(() => {
${STREAM_READER}
const container = $('#m-x-content');
if (!container) return;
const body = $('.aio-body', container);
const expander = $('[aria-controls="m-x-content"]');
const expand = () => {
  container.classList.add('expanded');
  expander.setAttribute('aria-expanded', 'true');
  expander.remove();
};
expander.addEventListener('click', expand);
expander.addEventListener('keydown', (event) => { if (event.key === 'Enter' || event.key === ' ') expand(); });
readAnswer(config.prefix + 'api/answer', { prompt: config.q, fault: config.streamFault, sample: config.sample }, (event) => {
  if (event.t === 'html') body.innerHTML = event.html;
  else if (event.t === 'done') {
    body.removeAttribute('aria-busy');
    container.append(el(${JSON.stringify(FEEDBACK)}));
    $('[data-subtree="msc"]').innerHTML = event.panel || '';
  }
}).catch(() => {
  // the connection dropped: the overview stays unfinished
});
})();`;
