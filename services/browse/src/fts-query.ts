// Turns what a visitor types into an FTS5 MATCH expression that cannot be a syntax error: only
// words survive, each quoted as a prefix term, so `"`, `*`, `-`, `(`, `OR`, `NEAR` are inert.

/** More words than this add little to a search and only cost time. */
export const MAX_SEARCH_TERMS = 12;

// A word starts with a letter or digit; marks may follow (é written as e + U+0301).
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/**
 * `hello (world` → `"hello"* "world"*`: every word must match, as a word or a word's start.
 * Null when the text holds no word at all, so nothing can match.
 */
export function ftsQueryOf(text: string): string | null {
  const words = text.match(WORD)?.slice(0, MAX_SEARCH_TERMS) ?? [];
  if (words.length === 0) return null;
  return words.map((word) => `"${word}"*`).join(" ");
}
