import { describe, expect, it } from "vitest";
import { ftsQueryOf, MAX_SEARCH_TERMS } from "./fts-query.ts";

describe("ftsQueryOf", () => {
  it("quotes every word as a prefix term", () => {
    expect(ftsQueryOf("ocean heist")).toBe('"ocean"* "heist"*');
    expect(ftsQueryOf("  Sci-Fi  ")).toBe('"Sci"* "Fi"*');
  });

  it("keeps FTS syntax out: quotes, stars, parentheses, operators and column filters", () => {
    expect(ftsQueryOf('ocean" OR title:*(x) -NOT ^NEAR')).toBe(
      '"ocean"* "OR"* "title"* "x"* "NOT"* "NEAR"*',
    );
  });

  it("keeps letters of any script and marks after them", () => {
    expect(ftsQueryOf("café naïve 東京 e\u0301t\u00e9")).toBe(
      '"café"* "naïve"* "東京"* "e\u0301t\u00e9"*',
    );
  });

  it("is null when there is no word at all", () => {
    expect(ftsQueryOf('"*()-^:')).toBeNull();
    expect(ftsQueryOf("")).toBeNull();
    expect(ftsQueryOf("\u0301 🙂")).toBeNull();
  });

  it(`keeps at most ${MAX_SEARCH_TERMS} words`, () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`);
    expect(ftsQueryOf(words.join(" "))?.split(" ")).toHaveLength(MAX_SEARCH_TERMS);
  });
});
