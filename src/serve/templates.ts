import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

/** The dashboard's and the report's HTML: Eta templates, every `<%= %>` escaped (raw output is `<%~ %>`). */
export const templates = new Eta({
  views: fileURLToPath(new URL('./templates/', import.meta.url)),
  autoEscape: true,
  cache: true,
});

/**
 * Data a page's script reads: JSON inside `<script type="application/json">`, with `<` escaped so that no
 * string in it (an answer, a brand name) can close the element.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
