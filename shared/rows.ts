// Maps a D1 row (snake_case columns) to its API object (camelCase fields) from the select list alone.

/** `pitch_id` → `pitchId`, as a type. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** The column names in a select list written `"id, pitch_id, created_at"`. */
type ColumnsIn<List extends string> = List extends `${infer Head}, ${infer Tail}`
  ? Head | ColumnsIn<Tail>
  : List;

/** A row under its API field names. */
export type Camelized<Row> = { [K in keyof Row & string as CamelCase<K>]: Row[K] };

export type RowMapper<Row> = (row: Row) => Camelized<Row>;

/**
 * The mapper for rows selected with `columns`, fields in select-list order. Annotate the result as
 * `RowMapper<SomeRow>`: the type check then refuses a column the row type lacks and a row field the
 * select list leaves out, so the SQL, the row type and the API shape cannot drift apart.
 */
export function camelCaseMapper<List extends string>(columns: List) {
  // Worked out on the first row, not at start-up: a mapper is made at a module's top level, and
  // the first run of a RegExp compiles it (a quarter of a millisecond of a cold isolate).
  let pairs: [field: string, column: ColumnsIn<List>][] | undefined;
  return <Row extends Record<ColumnsIn<List>, unknown>>(row: Row) => {
    pairs ??= (columns.split(", ") as ColumnsIn<List>[]).map((name) => [
      name.replace(/_(.)/g, (_, letter: string) => letter.toUpperCase()),
      name,
    ]);
    return Object.fromEntries(pairs.map(([field, name]) => [field, row[name]])) as Camelized<
      Pick<Row, ColumnsIn<List>>
    >;
  };
}
