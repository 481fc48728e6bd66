/**
 * Sentence templates for the mock's answers. Placeholders: {B} the brand as this paragraph names it (its
 * name or an alias), {N} its name, {P} its name as a possessive, {A} an alias, {O} another brand's name;
 * **{B}** is set in bold. Templates name the market only as "tool", so any brands file reads naturally.
 */
export const INTROS: readonly string[] = [
  'There is no single best choice, but a handful of tools come up in almost every comparison.',
  'Here are the options that reviewers and practitioners mention most often, with where each one fits.',
  'Short answer: it depends on team size and budget. These are the strongest candidates right now.',
  'Based on recent reviews, pricing pages and user discussions, these are worth a look.',
  'Several tools fit this need well; the right one depends on how much setup you are willing to do.',
];

/** For the first brand named: the answer's top recommendation. */
export const LEADS: readonly string[] = [
  '**{B}** is the most common recommendation: it is easy to set up, and {P} free tier is generous enough for small teams.',
  'For most teams, **{B}** is the safest pick. Reviewers praise {P} reporting and integrations.',
  '**{B}** comes out on top in most comparisons, mainly because {N} balances power and simplicity.',
];

export const BODIES: readonly string[] = [
  '**{B}** is a strong option if you want solid automation without a steep learning curve.',
  '**{B}** focuses on pipeline management; {P} visual deal board is what most users mention first.',
  'If you need deep customization, **{B}** is hard to beat, although {P} pricing climbs quickly as you add seats.',
  'Teams that live in their inbox tend to like **{B}**, and {N} also offers a capable mobile app.',
  '**{B}** covers the basics well, but several reviewers find {P} interface dated and support slow.',
  '{N} is worth a look too: {P} built-in calling and sequences suit outbound sales teams.',
  '**{B}** is flexible, though some users say {N} needs an admin to get the most out of it.',
];

/** Only for brands with an alias, so "{A} (usually just called {N})" never repeats one name. */
export const ALIAS_BODIES: readonly string[] = [
  '**{A}** (usually just called {N}) is popular with small businesses for its low entry price.',
  'Many people know it as {A}: **{N}** is a good fit when you want everything in one suite.',
];

/** The last paragraph; {N} is the top pick and {O} the runner-up. */
export const CLOSINGS: readonly string[] = [
  'If you are unsure, start with {N} and compare it with {O} during a free trial.',
  'Most teams should trial two or three of these before committing; {N} and {O} both offer free plans.',
  'Bottom line: {N} for ease of use, {O} if you need more power.',
  'Whichever you choose, check the integrations you rely on before migrating your data.',
];

/** The possessive as a writer would spell it: "HubSpot's", "Freshsales'". */
export function possessive(name: string): string {
  return /s$/i.test(name) ? `${name}'` : `${name}'s`;
}
