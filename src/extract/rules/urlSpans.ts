import { UNSPACED, WORD_CHAR } from './scripts.ts';
/** Where a URL is written in a text; `url` is the address to cite, when it is an http(s) one. */
export interface UrlSpan {
  start: number;
  end: number;
  url: string | null;
}

/**
 * Characters a written URL may hold: RFC 3986's, plus letters and digits of any script (IRIs), except
 * the scripts written without spaces (Han, kana, Hangul), which would otherwise swallow the words after
 * the URL. Anything else (whitespace, <>"`{}|\^[], non-ASCII punctuation such as 。 or ”) ends it.
 */
const URL_CHAR = String.raw`[[[\p{L}\p{N}\p{M}]--${UNSPACED}][\-._~:\/?#@!$&'\(\)*+,;=%]]`;
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?`;
/** Not inside a longer word, address or path. */
const START = String.raw`(?<![${WORD_CHAR}@.\/\-])`;

/**
 * The three ways a URL is written: with a scheme (`https://…`, `ftp://…`), from `www.`, or as a host
 * name followed by a path, query or fragment (`hubspot.com/pricing`). A bare host name with none of
 * these (`monday.com`) is not a URL: it is prose, matched against brand names like any other word.
 */
const URL_PATTERN = new RegExp(
  [
    String.raw`(?<scheme>(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]*://)${URL_CHAR}+`,
    String.raw`(?<www>${START}www\.)${URL_CHAR}+`,
    String.raw`${START}(?<host>(?:${LABEL}\.)+\p{L}{2,63}(?::\d{1,5})?)[\/?#]${URL_CHAR}*`,
  ].join('|'),
  'giv',
);

const TRAILING = /[.,;:!?'"*_]$/;

/** Punctuation after a URL belongs to the sentence: "see https://x.com/a." or "(https://x.com/a)". */
function trimEnd(written: string): string {
  let url = written;
  for (;;) {
    if (TRAILING.test(url)) url = url.slice(0, -1);
    else if (url.endsWith(')') && count(url, '(') < count(url, ')')) url = url.slice(0, -1);
    else return url;
  }
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n += 1;
  return n;
}

/**
 * The URLs written in `text`, in order. Those written without a scheme (`www.…`, `hubspot.com/pricing`) are
 * cited as https, like the `https://` form. A host whose only "path" was the sentence's punctuation ("Is it
 * monday.com?") is prose, not a URL.
 */
export function findUrlSpans(text: string): UrlSpan[] {
  const spans: UrlSpan[] = [];
  for (const match of text.matchAll(URL_PATTERN)) {
    const written = trimEnd(match[0]);
    const { scheme, www, host } = match.groups ?? {};
    let url: string | null = null;
    if (scheme) url = /^https?:\/\/./i.test(written) ? written : null;
    else if (www) url = written.length > www.length ? `https://${written}` : null;
    else if (host && written.length > host.length) url = `https://${written}`;
    else continue;
    spans.push({ start: match.index, end: match.index + written.length, url });
  }
  return spans;
}
