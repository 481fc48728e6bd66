import type { FaultKind } from './faults.ts';
import type { Flavour, SiteRequest } from './flavour.ts';
import { escapeHtml, page } from './html.ts';

/** A page the server sends as is: status, headers, body. */
export interface BlockResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Where Cloudflare's widget frame comes from: a local path that still matches `challenges.cloudflare.com`. */
export const TURNSTILE_PATH =
  '/mock-assets/challenges.cloudflare.com/cdn-cgi/challenge-platform/turnstile/if';

const html = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };

/** Where Google sends a captcha, below the prefix. */
const SORRY_PATH = 'sorry/index';

/**
 * The URL (below the flavour's prefix) a browser is sent to when an answer meets `fault`, or undefined
 * for faults that show in the stream itself (hang, half).
 */
export function faultPath(flavour: Flavour, fault: FaultKind, returnTo: string): string | undefined {
  switch (fault) {
    case '429':
    case '500':
    case 'blank':
      return `mock-fault/${fault}`;
    case 'captcha':
      return flavour.blocks.captcha.kind === 'google'
        ? `${SORRY_PATH}?continue=${encodeURIComponent(returnTo)}&q=EgR_AAABGMrm`
        : 'mock-fault/captcha';
    case 'login':
      return flavour.blocks.login.path;
    default:
      return undefined;
  }
}

export function redirectResponse(location: string): BlockResponse {
  return { status: 302, headers: { location }, body: '' };
}

export function rateLimitPage(flavour: Flavour): BlockResponse {
  const { title, text } = flavour.blocks.rateLimit;
  return {
    status: 429,
    headers: { ...html, 'retry-after': '30' },
    body: page({ title, body: `<main role="alert"><h1>${escapeHtml(text)}</h1></main>` }),
  };
}

export function serverErrorPage(flavour: Flavour): BlockResponse {
  const { title, text } = flavour.blocks.serverError;
  return {
    status: 500,
    headers: html,
    body: page({ title, body: `<main><p>${escapeHtml(text)}</p></main>` }),
  };
}

export function blankPage(): BlockResponse {
  return { status: 200, headers: html, body: '' };
}

export function loginPage(flavour: Flavour): BlockResponse {
  const { title, body } = flavour.blocks.login;
  return { status: 200, headers: html, body: page({ title, body }) };
}

/** Cloudflare's "Just a moment..." interstitial (served with 403, as Cloudflare does). */
export function cloudflarePage(flavour: Flavour, host: string): BlockResponse {
  const text = flavour.blocks.captcha.kind === 'cloudflare' ? flavour.blocks.captcha.text : '';
  return {
    status: 403,
    headers: { ...html, 'cf-mitigated': 'challenge' },
    body: page({
      title: 'Just a moment...',
      css: '.main-wrapper{max-width:600px;margin:80px auto}iframe{border:0;width:300px;height:65px}',
      body:
        `<div class="main-wrapper" role="main"><div class="main-content"><h1 class="zone-name-title h1">${escapeHtml(host)}</h1>` +
        `<p id="challenge-body-text" class="h2 spacer-bottom">${escapeHtml(text)}</p>` +
        `<form id="challenge-form" action="?__cf_chl_f_tk=mock" method="POST" enctype="application/x-www-form-urlencoded"><input type="hidden" name="md" value="mock"></form>` +
        `<div id="turnstile-wrapper"><iframe src="${TURNSTILE_PATH}?theme=light" title="Widget containing a Cloudflare security challenge"></iframe></div>` +
        `<p>${escapeHtml(host)} needs to review the security of your connection before proceeding.</p></div></div>`,
    }),
  };
}

/** The frame inside the interstitial: a checkbox that does nothing. */
export function turnstileFrame(): BlockResponse {
  return {
    status: 200,
    headers: html,
    body: page({ title: 'Cloudflare', body: '<label><input type="checkbox"> Verify you are human</label>' }),
  };
}

/**
 * Google's "unusual traffic" page at `/sorry/index`, where `faultPath` sends a Google captcha (Google
 * Search's and Gemini's `route`), or undefined for any other path.
 */
export function googleSorryRoute({ prefix, path, url }: SiteRequest): BlockResponse | undefined {
  if (path !== SORRY_PATH) return undefined;
  const continueUrl = url.searchParams.get('continue') ?? prefix;
  return {
    status: 200,
    headers: html,
    body: page({
      title: 'https://www.google.com/sorry/index',
      body:
        '<div style="max-width:600px"><form id="captcha-form" action="index" method="post">' +
        '<div id="recaptcha" class="g-recaptcha" data-sitekey="mock"></div>' +
        `<input type="hidden" name="continue" value="${escapeHtml(continueUrl)}"><input type="submit" name="submit" value="Submit"></form>` +
        '<hr><div id="infoDiv"><b>About this page</b><br><br>Our systems have detected unusual traffic from your computer network. ' +
        'This page checks to see if it&#39;s really you sending the requests, and not a robot.</div></div>',
    }),
  };
}
