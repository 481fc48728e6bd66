import type { BrandRow } from '../db/brands.ts';

/** A brand the mock's answers may mention: a row of the `brands` table, without its id. */
export type MockBrand = BrandRow;

/**
 * The built-in market: CRM tools. Some names are deliberately awkward for an extractor: a common word
 * ("Close"), a dot ("Monday.com"), a symbol ("Act!"), a product name that differs from the company's.
 */
export const DEMO_BRANDS: readonly MockBrand[] = [
  { name: 'HubSpot', aliases: ['HubSpot CRM', 'HubSpot Sales Hub'], domains: ['hubspot.com'] },
  { name: 'Salesforce', aliases: ['Salesforce Sales Cloud', 'Sales Cloud'], domains: ['salesforce.com'] },
  { name: 'Pipedrive', aliases: [], domains: ['pipedrive.com'] },
  { name: 'Zoho CRM', aliases: ['Zoho'], domains: ['zoho.com'] },
  { name: 'Monday.com', aliases: ['monday CRM', 'monday sales CRM'], domains: ['monday.com'] },
  { name: 'Freshsales', aliases: ['Freshworks CRM'], domains: ['freshworks.com'] },
  { name: 'Close', aliases: ['Close CRM', 'Close.io'], domains: ['close.com'] },
  { name: 'Act!', aliases: ['Act! CRM'], domains: ['act.com'] },
];
