// Sets one service's weight in a stack file's `platform:rollout` map through the yaml Document
// API, so comments, key order and formatting stay as the release manager left them.

import { isMap, parseDocument } from "yaml";
import { ConfigError, PROJECT, parseStackConfig } from "../../infra/config.ts";
import { isServiceName, SERVICE_NAMES, type ServiceName } from "../../shared/workers.ts";
import { offlineConfigOf } from "../plan/stack-file.ts";

export const ROLLOUT_KEY = `${PROJECT}:rollout`;

export interface RolloutEdit {
  service: ServiceName;
  /** The weight the file states, else the default the config applies (0 with a monolith). */
  before: number;
  /** True when `before` is a default, not written in the file. */
  beforeIsDefault: boolean;
  after: number;
  /** The whole stack file after the edit. */
  text: string;
}

/** A problem with the request or the resulting config; the message says what to fix. */
export class RolloutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RolloutError";
  }
}

export function parseService(value: string | undefined): ServiceName {
  if (value !== undefined && isServiceName(value)) return value;
  throw new RolloutError(
    `--service must be one of ${SERVICE_NAMES.join(", ")}, got ${value === undefined ? "nothing" : `"${value}"`}`,
  );
}

export function parseWeight(value: string | undefined): number {
  const weight = Number(value);
  if (value !== undefined && /^\d{1,3}$/.test(value) && weight <= 100) return weight;
  throw new RolloutError(
    `--to must be an integer 0-100 (the share of traffic on the new service), got ${value === undefined ? "nothing" : `"${value}"`}`,
  );
}

/**
 * The stack file with `platform:rollout.<service>` set to `weight`, after checking that the whole
 * config still parses (a placeholder stands in for the JWT key). Throws RolloutError otherwise.
 */
export function setRolloutWeight(
  text: string,
  options: { service: ServiceName; weight: number; stack: string; source: string },
): RolloutEdit {
  const { service, weight, stack, source } = options;
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new RolloutError(`${source} is not valid YAML: ${document.errors[0]?.message}`);
  }
  if (!isMap(document.get("config"))) {
    throw new RolloutError(`${source} has no \`config:\` map; is it a Pulumi stack file?`);
  }
  const rollout = document.getIn(["config", ROLLOUT_KEY]);
  if (rollout !== undefined && !isMap(rollout)) {
    throw new RolloutError(`${source}: ${ROLLOUT_KEY} must be a map of service → weight`);
  }
  const before = checkedConfig(text, { stack, source, edited: false });
  const stated = document.getIn(["config", ROLLOUT_KEY, service]);
  document.setIn(["config", ROLLOUT_KEY, service], weight);
  const edited = document.toString();
  checkedConfig(edited, { stack, source, edited: true });
  return {
    service,
    // The parsed config, not the YAML node: a weight the file spells "25" is 25.
    before: before.rollout[service],
    beforeIsDefault: stated === undefined,
    after: weight,
    text: edited,
  };
}

function checkedConfig(
  text: string,
  { stack, source, edited }: { stack: string; source: string; edited: boolean },
) {
  try {
    return parseStackConfig(offlineConfigOf(text, source), { stack, source });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((p) => `  - ${p}`).join("\n");
    throw new RolloutError(
      edited
        ? `the change would leave ${source} invalid, so nothing was written:\n${problems}`
        : `${source} is already invalid; fix it first:\n${problems}`,
    );
  }
}
