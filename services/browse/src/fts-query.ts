// Turns what a visitor types into an FTS5 MATCH expression that cannot be a syntax error: only
// words survive, each quoted as a prefix term, so `"`, `*`, `-`, `(`, `OR`, `NEAR` are inert.

/** More words than this add little to a search and only cost time. */
export const MAX_SEARCH_TERMS = 12;

// A word starts with a letter or digit; marks may follow (é written as e + U+0301). Built on the
// first search, not at start-up: V8 builds a literal's Unicode tables when it parses the script,
// about 0.6 ms of a fresh isolate's start-up.
const WORD_PATTERN = "[\\p{L}\\p{N}][\\p{L}\\p{N}\\p{M}]*";
let word: RegExp | undefined;

/**
 * `hello (world` → `"hello"* "world"*`: every word must match, as a word or a word's start.
 * Null when the text holds no word at all, so nothing can match.
 */
export function ftsQueryOf(text: string): string | null {
  word ??= new RegExp(WORD_PATTERN, "gu");
  const words = text.match(word)?.slice(0, MAX_SEARCH_TERMS) ?? [];
  if (words.length === 0) return null;
  return words.map((word) => `"${word}"*`).join(" ");
}
