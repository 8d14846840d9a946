import * as fs from 'fs';
import * as path from 'path';

/** Formats a fraction as a percentage with two decimals: 0.99123 → "99.12%". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

/** Returns the version field of bntrain's package.json. */
export function packageVersion(): string {
  const file = path.join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}
