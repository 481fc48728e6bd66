import type { Flavour, FlavourName } from '../flavour.ts';
import { chatgpt } from './chatgpt.ts';
import { claude } from './claude.ts';
import { copilot } from './copilot.ts';
import { gemini } from './gemini.ts';
import { google } from './google.ts';
import { perplexity } from './perplexity.ts';

export const FLAVOURS: Readonly<Record<FlavourName, Flavour>> = {
  chatgpt,
  gemini,
  perplexity,
  claude,
  copilot,
  google,
};

/** A flavour by its prefix ("google") or by the adapter's AI source name ("google_ai_overview"). */
export function flavourFor(name: string): Flavour | undefined {
  return Object.values(FLAVOURS).find((flavour) => flavour.name === name || flavour.source === name);
}
