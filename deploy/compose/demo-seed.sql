-- The compose demo's market (docker compose --profile demo up): the CRM brands and questions of `avt demo`
-- (src/demo/demoData.ts), as active prompts, so that the tracking rounds of the demo's maintenance process
-- ask them again. Only the sources the demo runs workers for stay enabled: a run queued for another source
-- would wait for ever. Safe to run again: nothing is added twice.
UPDATE ai_sources SET enabled = (name IN ('chatgpt', 'gemini', 'perplexity'));

INSERT INTO categories (name) VALUES ('CRM (demo)') ON CONFLICT (name) DO NOTHING;

INSERT INTO brands (name, aliases, domains, is_own) VALUES
  ('HubSpot', ARRAY['HubSpot CRM', 'HubSpot Sales Hub'], ARRAY['hubspot.com'], false),
  ('Salesforce', ARRAY['Salesforce Sales Cloud', 'Sales Cloud'], ARRAY['salesforce.com'], false),
  ('Pipedrive', ARRAY[]::text[], ARRAY['pipedrive.com'], true),
  ('Zoho CRM', ARRAY['Zoho'], ARRAY['zoho.com'], false),
  ('Monday.com', ARRAY['monday CRM', 'monday sales CRM'], ARRAY['monday.com'], false),
  ('Freshsales', ARRAY['Freshworks CRM'], ARRAY['freshworks.com'], false)
ON CONFLICT (name) DO NOTHING;

-- Inserting a prompt queues a run on every enabled source (the fan-out trigger).
INSERT INTO prompts (text, category_id)
SELECT t.text, (SELECT id FROM categories WHERE name = 'CRM (demo)')
FROM (VALUES
  ('What is the best CRM for a five-person startup?'),
  ('Which CRM has the best free plan for small businesses?'),
  ('Best CRM for a B2B sales team that lives in email?'),
  ('What CRM do you recommend for a real estate agency?'),
  ('Which CRM is easiest to set up without an admin?'),
  ('Best CRM with built-in calling for outbound sales?'),
  ('What is a good alternative to Salesforce for a mid-size company?'),
  ('Which CRM integrates best with Gmail and Slack?'),
  ('Best CRM for managing a visual sales pipeline?'),
  ('What CRM should a nonprofit use on a tight budget?'),
  ('Which CRM offers the best reporting for sales managers?'),
  ('Best CRM for a growing e-commerce business?')
) AS t (text)
WHERE NOT EXISTS (SELECT 1 FROM prompts p WHERE p.text = t.text);
