import type { MockBrand } from './brands.ts';
import type { Rng } from './prng.ts';

/** A cited page: `url` as the answer links it, before any tracking parameter a site adds. */
export interface AnswerCitation {
  url: string;
  /** The short label a citation chip shows ("G2", "hubspot.com"). */
  siteName: string;
  /** The page's title, as a sources panel lists it. */
  pageTitle: string;
}

/** Words of the prompt as a URL slug: "Best CRM for startups?" → "best-crm-for-startups". */
export function slugOf(text: string, maxWords = 6): string {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return words.slice(0, maxWords).join('-') || 'best-options';
}

/** A text fragment (`#:~:text=`) quote, with the characters the syntax reserves escaped. */
function textFragment(quote: string): string {
  return `#:~:text=${encodeURIComponent(quote).replace(/-/g, '%2D')}`;
}

/** The brand's own site: a bare domain gets "www.", a subdomain is kept as it is. */
export function brandPage(brand: MockBrand, rng: Rng): AnswerCitation | undefined {
  const domain = brand.domains?.[0];
  if (!domain) return undefined;
  const host = domain.split('.').length > 2 ? domain : `www.${domain}`;
  const [path, title] = rng.pick([
    ['', `${brand.name} | Official site`],
    ['pricing', `${brand.name} pricing and plans`],
    ['features', `Features | ${brand.name}`],
    ['customers', `Customer stories | ${brand.name}`],
  ] as const);
  return { url: `https://${host}/${path}`, siteName: domain, pageTitle: title };
}

/** A neutral page about one brand: its encyclopedia entry or its reviews. */
export function brandReview(brand: MockBrand, rng: Rng): AnswerCitation {
  if (rng.chance(0.5)) {
    return {
      url: `https://en.wikipedia.org/wiki/${encodeURIComponent(brand.name.replace(/ /g, '_'))}`,
      siteName: 'Wikipedia',
      pageTitle: `${brand.name} - Wikipedia`,
    };
  }
  return {
    url: `https://www.g2.com/products/${slugOf(brand.name)}/reviews`,
    siteName: 'G2',
    pageTitle: `${brand.name} Reviews 2026: Details, Pricing, & Features | G2`,
  };
}

/** A neutral page about the question itself: a review blog (sometimes quoting a line), a forum thread. */
export function roundupPage(prompt: string, topBrand: MockBrand, rng: Rng): AnswerCitation {
  const slug = slugOf(prompt);
  const kind = rng.int(0, 2);
  if (kind === 0) {
    const quote = rng.chance(0.6) ? textFragment(`${topBrand.name} is our top pick`) : '';
    return {
      url: `https://www.techradar.com/best/${slug}${quote}`,
      siteName: 'TechRadar',
      pageTitle: 'The best tools of 2026, tested and rated | TechRadar',
    };
  }
  if (kind === 1) {
    return {
      url: `https://www.forbes.com/advisor/business/software/${slug}/`,
      siteName: 'Forbes',
      pageTitle: 'Best Picks Of 2026 – Forbes Advisor',
    };
  }
  const id = Math.floor(rng.next() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return {
    url: `https://www.reddit.com/r/smallbusiness/comments/${id}/${slug.replace(/-/g, '_')}/`,
    siteName: 'Reddit',
    pageTitle: `${prompt.slice(0, 60).trim()} : r/smallbusiness`,
  };
}
