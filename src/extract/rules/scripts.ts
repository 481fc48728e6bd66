/** Scripts written without spaces between words (Han, kana, Hangul), as a regex class for the `v` flag. */
export const UNSPACED = String.raw`[\p{sc=Han}\p{sc=Hira}\p{sc=Kana}\p{sc=Hang}]`;

/** A letter or digit of a script that separates words with spaces: what a word boundary is made of. */
export const WORD_CHAR = String.raw`[[\p{L}\p{N}]--${UNSPACED}]`;
