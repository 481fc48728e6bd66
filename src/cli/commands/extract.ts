import type { Command } from 'commander';
import { loadBrandsFile, trackedBrandsOf } from '../../extract/brandsFile.ts';
import { extractWithRules } from '../../extract/rules/extractWithRules.ts';
import type { Extraction } from '../../extract/types.ts';
import { UsageError } from '../../usageError.ts';

interface ExtractCommandOptions {
  brands?: string;
  html?: boolean;
}

const EXAMPLE = `
Example:
  $ echo '[{"name": "HubSpot", "aliases": ["HubSpot CRM"], "domains": ["hubspot.com"]}, {"name": "Pipedrive"}]' > brands.json
  $ echo "HubSpot's free tier is generous; Pipedrive is cheaper. See https://blog.hubspot.com/sales/crm" \\
      | avt extract --brands brands.json
  $ avt extract --brands brands.json --html < answer.html`;

export function registerExtract(program: Command): void {
  program
    .command('extract')
    .description(
      'Extract one answer, read from stdin, with the deterministic rules (no database, no LLM) and print ' +
        'as JSON the tracked brands it mentions (position of first mention, count, the sentence of the first ' +
        'mention) and the sources it cites (URL, domain, owning brand, title, quoted text fragment).',
    )
    .option(
      '--brands <file>',
      'required: a JSON array of { name, aliases?, domains? }, the brands to look for',
    )
    .option(
      '--html',
      "stdin is the answer's HTML: its text and its <a href> links are read (default: plain text)",
    )
    .addHelpText('after', EXAMPLE)
    .action(async (options: ExtractCommandOptions) => {
      // Checked here rather than with requiredOption, so that it is a UsageError (exit 2) like the others.
      if (!options.brands) throw new UsageError('--brands <file> is required (see avt extract --help)');
      const brands = trackedBrandsOf(await loadBrandsFile(options.brands));
      const input = await readStdin();
      const extraction = extractWithRules(options.html ? { text: '', html: input } : { text: input }, brands);
      console.log(JSON.stringify(report(extraction), null, 2));
    });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError('avt extract reads the answer from stdin: pipe it in, e.g. < answer.txt');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const input = Buffer.concat(chunks).toString('utf8');
  if (!input.trim()) throw new UsageError('no answer on stdin: it is empty');
  return input;
}

/** The extraction as people read it: brands by name, no database ids (a --brands file has none). */
function report(extraction: Extraction) {
  return {
    mentions: extraction.mentions.map((m) => ({
      brand: m.brandName,
      position: m.position,
      count: m.mentionCount,
      snippet: m.snippet ?? null,
    })),
    citations: extraction.citations.map((c) => ({
      position: c.position,
      url: c.url,
      domain: c.domain,
      title: c.title ?? null,
      brand: c.brandName,
      quote: c.quote ?? null,
    })),
  };
}
