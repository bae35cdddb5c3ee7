// Plain-text columns for every command's terminal output: the first row is usually a header.

/** Rows as aligned lines; a column listed in `right` is right-aligned (numbers). */
export function textTable(
  rows: readonly (readonly string[])[],
  options: { indent?: string; right?: readonly number[] } = {},
): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(...rows.map((row) => row[i]?.length ?? 0)),
  );
  const right = new Set(options.right ?? []);
  return rows.map((row) =>
    `${options.indent ?? "  "}${row
      .map((cell, i) =>
        right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join("  ")}`.trimEnd(),
  );
}
