/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface PageShell {
  title: string;
  lang?: string;
  css?: string;
  body: string;
  /** Script run after the body; embedded inline, so the page needs nothing from elsewhere. */
  script?: string;
}

/**
 * A whole HTML document. The `data:` icon keeps Chromium from asking for /favicon.ico; fonts are the
 * system's. Nothing is loaded from any other host.
 */
export function page(shell: PageShell): string {
  return (
    `<!doctype html><html lang="${shell.lang ?? 'en'}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">' +
    `<title>${escapeHtml(shell.title)}</title>` +
    `<style>body{font-family:system-ui,sans-serif;margin:0;padding:16px;line-height:1.5}button{cursor:pointer;min-width:24px;min-height:24px}[contenteditable]{min-height:40px;border:1px solid #ccc;padding:6px}${shell.css ?? ''}</style>` +
    `</head><body>${shell.body}${shell.script ? `<script>${shell.script}</script>` : ''}</body></html>`
  );
}

/** A small inline icon, so buttons have a size without text. */
export const ICON =
  '<svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"><circle cx="10" cy="10" r="6"/></svg>';

/** Data for the page's script, in a JSON script tag (no HTML parsing surprises). */
export function configScript(config: unknown): string {
  return `<script type="application/json" id="mock-config">${JSON.stringify(config).replace(/</g, '\\u003c')}</script>`;
}
