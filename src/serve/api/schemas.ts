/** The JSON Schema pieces the API's routes share, for their validation and the OpenAPI document. */

/** A JSON Schema type that may also be null. */
export const nullable = (type: string, description?: string) => ({
  type: [type, 'null'],
  ...(description ? { description } : {}),
});

export const FILTERS_JSON_SCHEMA = {
  type: 'object',
  description: 'the filters applied (defaults filled in); null: not narrowed',
  properties: {
    since: { type: 'string' },
    until: { type: 'string' },
    ai_source: nullable('string'),
    category: nullable('string'),
    capture_mode: nullable('string'),
    brand: nullable('string'),
    grain: { type: 'string' },
  },
} as const;

export const ERROR_SCHEMA = {
  type: 'object',
  description: 'a parameter to change, named in the message',
  properties: { error: { type: 'string' } },
} as const;

export const NOT_MODIFIED_SCHEMA = {
  type: 'null',
  description: 'If-None-Match matched the ETag: nothing changed',
} as const;
