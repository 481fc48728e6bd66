import { normalizedDomain } from '../../job/domain.ts';
import type { TrackedBrand } from '../types.ts';

/** The brand that owns a citation's domain, or null. */
export type DomainOwners = (domain: string) => TrackedBrand | null;

/**
 * Indexes the brands' domains. A domain belongs to a brand when it equals one of the brand's domains or
 * is a subdomain of one (blog.hubspot.com → hubspot.com); the most specific domain wins, and a domain
 * listed by two brands belongs to the first.
 */
export function compileDomainOwners(brands: readonly TrackedBrand[]): DomainOwners {
  const owners = new Map<string, TrackedBrand>();
  for (const brand of brands) {
    for (const written of brand.domains) {
      // Through the URL parser, like citation domains, so case, "www." and IDNs compare alike.
      const domain = normalizedDomain(written.includes('//') ? written : `https://${written.trim()}`);
      if (domain && !owners.has(domain)) owners.set(domain, brand);
    }
  }
  return (domain) => {
    let at = domain;
    for (;;) {
      const owner = owners.get(at);
      if (owner) return owner;
      const dot = at.indexOf('.');
      if (dot === -1) return null;
      at = at.slice(dot + 1);
    }
  };
}
