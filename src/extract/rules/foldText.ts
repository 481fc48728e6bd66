/** Text folded for matching, with the offset in the original text of each folded UTF-16 unit. */
export interface FoldedText {
  folded: string;
  /** `origin[i]` is where folded unit i came from; `origin[folded.length]` is the original's length. */
  origin: Uint32Array;
}

const NON_ASCII = /[^\p{ASCII}]/u;
const COMBINING_MARK = /\p{M}/gu;
/** Typographic apostrophes fold to ASCII, so "Macy’s" matches "Macy's". */
const APOSTROPHES = /[\u2018\u2019\u02bc]/g;

/** One code point folded: lower case, accents dropped ("Ä" → "a", "İ" → "i"). */
function foldCodePoint(char: string): string {
  return char.toLowerCase().normalize('NFD').replace(COMBINING_MARK, '').replace(APOSTROPHES, "'");
}

/** Folds a name the same way as the text it is looked for in. */
export function foldName(name: string): string {
  return foldText(name).folded;
}

/**
 * Folds `text` code point by code point, so that a match in the folded text maps back to the original:
 * a match ending just before dropped marks ("Sa" + U+0308) ends after them in the original.
 */
export function foldText(text: string): FoldedText {
  if (!NON_ASCII.test(text)) return { folded: text.toLowerCase(), origin: identity(text.length) };
  const units: string[] = [];
  const origin: number[] = [];
  let index = 0;
  for (const char of text) {
    const code = char.charCodeAt(0);
    const folded = code < 0x80 ? char.toLowerCase() : foldCodePoint(char);
    for (let i = 0; i < folded.length; i += 1) origin.push(index);
    units.push(folded);
    index += char.length;
  }
  origin.push(text.length);
  return { folded: units.join(''), origin: Uint32Array.from(origin) };
}

function identity(length: number): Uint32Array {
  const origin = new Uint32Array(length + 1);
  for (let i = 0; i <= length; i += 1) origin[i] = i;
  return origin;
}
