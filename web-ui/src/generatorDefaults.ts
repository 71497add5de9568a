/**
 * What the dashboard's generator makes unless the person changes it: the CLI's default (24 characters,
 * every class). No imports, so that a unit test can hold it against the daemon's default.
 */
export const GENERATOR_DEFAULTS: { length: number; lower: boolean; upper: boolean; digits: boolean; symbols: boolean } = {
  length: 24,
  lower: true,
  upper: true,
  digits: true,
  symbols: true
}
