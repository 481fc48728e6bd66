import { type DefaultTreeAdapterTypes, parse } from 'parse5';
import type { AnswerLink } from '../../job/result.ts';

type Node = DefaultTreeAdapterTypes.Node;
type Element = DefaultTreeAdapterTypes.Element;

/** What the rules read from an answer's HTML: its visible text and its links, in document order. */
export interface AnswerHtml {
  text: string;
  /** `<a href>` with an absolute http(s) address; title = the anchor's text. */
  anchors: AnswerLink[];
}

/** Content that is never shown as text. */
const HIDDEN = new Set('head script style noscript template svg math iframe object'.split(' '));
/** Elements on lines of their own, as innerText sets them (a <p> is also set apart by a blank line). */
const BLOCK = new Set(
  (
    'address article aside blockquote caption dd details dialog div dl dt fieldset figcaption ' +
    'figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol pre section summary ' +
    'table tr ul'
  ).split(' '),
);
const CELL = new Set(['td', 'th']);

function isElement(node: Node): node is Element {
  return 'tagName' in node;
}

function attribute(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}

/**
 * Parses an answer's HTML (a fragment or a whole page) with parse5, the WHATWG parser, and reads it
 * roughly as a browser's innerText would: blocks on their own lines, paragraphs apart, <br> a line
 * break, whitespace collapsed outside <pre>, hidden and non-text content skipped.
 */
export function readAnswerHtml(html: string): AnswerHtml {
  const text = new TextWriter();
  const anchors: AnswerLink[] = [];

  const walk = (node: Node, pre: boolean): void => {
    if (node.nodeName === '#text' && 'value' in node) {
      text.write(node.value, pre);
      return;
    }
    if (!isElement(node)) {
      if ('childNodes' in node) for (const child of node.childNodes) walk(child, pre);
      return;
    }
    const tag = node.tagName;
    if (HIDDEN.has(tag) || attribute(node, 'hidden') !== undefined) return;
    if (tag === 'br') {
      text.lineBreak();
      return;
    }
    if (tag === 'a') {
      const href = attribute(node, 'href')?.trim();
      if (href && /^https?:\/\//i.test(href)) anchors.push({ url: href, title: textContent(node) || null });
    }
    const breaks = tag === 'p' ? 2 : BLOCK.has(tag) ? 1 : 0;
    text.blockEdge(breaks);
    for (const child of node.childNodes) walk(child, pre || tag === 'pre');
    text.blockEdge(breaks);
    if (CELL.has(tag)) text.write('\t', true);
  };
  walk(parse(html), false);
  return { text: text.toString(), anchors };
}

/** An element's text with whitespace collapsed: a link's title. */
function textContent(node: Node): string {
  const parts: string[] = [];
  const walk = (n: Node): void => {
    if (n.nodeName === '#text' && 'value' in n) parts.push(n.value);
    else if (!isElement(n) || !HIDDEN.has(n.tagName)) {
      if ('childNodes' in n) for (const child of n.childNodes) walk(child);
    }
  };
  walk(node);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** Joins text runs the way CSS lays them out: one space between words, line breaks between blocks. */
class TextWriter {
  #parts: string[] = [];
  #pendingBreaks = 0;
  #pendingSpace = false;

  write(value: string, pre: boolean): void {
    let run = pre ? value : value.replace(/[ \t\n\r\f]+/g, ' ');
    if (!pre && run.startsWith(' ')) {
      this.#pendingSpace = true;
      run = run.slice(1);
    }
    if (!run) return;
    const trailingSpace = !pre && run.endsWith(' ');
    if (trailingSpace) run = run.slice(0, -1);
    if (this.#parts.length > 0) {
      if (this.#pendingBreaks > 0) this.#parts.push('\n'.repeat(this.#pendingBreaks));
      else if (this.#pendingSpace) this.#parts.push(' ');
    }
    this.#parts.push(run);
    this.#pendingBreaks = 0;
    this.#pendingSpace = trailingSpace;
  }

  /** A block starts or ends here: at least `count` line breaks before the next text. */
  blockEdge(count: number): void {
    this.#pendingBreaks = Math.max(this.#pendingBreaks, count);
  }

  lineBreak(): void {
    if (this.#pendingBreaks > 0 && this.#parts.length > 0) this.#parts.push('\n'.repeat(this.#pendingBreaks));
    this.#parts.push('\n');
    this.#pendingBreaks = 0;
    this.#pendingSpace = false;
  }

  toString(): string {
    return this.#parts
      .join('')
      .replace(/[ \t]+\n/g, '\n')
      .trim();
  }
}
