import type { ServeContext } from '../context.ts';
import { listBrands, listCategories, listSources } from '../queries/catalog.ts';
import { templates } from '../templates.ts';
import type { FormValues } from './pageFilters.ts';

/** The names a filter form offers in its lists. */
export interface Catalog {
  sources: string[];
  categories: string[];
  brands: string[];
}

/**
 * The catalog, from the replica's cache: brands and categories are part of the results version; a source
 * added by hand shows once the next result commits.
 */
export async function readCatalog(context: ServeContext): Promise<Catalog> {
  const { value } = await context.results.read('page:catalog', async (client) => ({
    sources: (await listSources(client)).map((source) => source.name),
    categories: (await listCategories(client)).map((category) => category.name),
    brands: (await listBrands(client)).map((brand) => brand.name),
  }));
  return value;
}

export interface FilterFormOptions {
  /** The page the form submits to (GET). */
  action: string;
  /** Show the text search (the answers page). */
  search?: boolean;
  /** Show the period length (pages with figures over time). */
  grain?: boolean;
}

/** A select's options: '' (all), then the known names, and the current value even when it is not known. */
function choices(known: string[], current: string): string[] {
  return current && !known.includes(current) ? [...known, current] : known;
}

/** The filter form at the top of a page: a GET form, so the filters stay in the URL. */
export function renderFilterForm(catalog: Catalog, values: FormValues, options: FilterFormOptions): string {
  return templates.render('filters', {
    action: options.action,
    search: options.search === true,
    grain: options.grain === true,
    values,
    sources: choices(catalog.sources, values.ai_source),
    categories: choices(catalog.categories, values.category),
    brands: choices(catalog.brands, values.brand),
    modes: choices(['ui', 'api'], values.capture_mode),
    grains: choices(['day', 'week', 'month'], values.grain),
  });
}
