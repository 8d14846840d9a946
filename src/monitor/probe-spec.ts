import type { MonitorProbe } from './activation-monitor';

/**
 * Parses a probe written on the command line as `node` or `node:units`, where units is a
 * comma-separated list of indices or ranges: `bn3`, `bn3:0`, `conv1:0,4-7`. A bare node watches
 * unit 0. Throws a RangeError that quotes the text.
 */
export function parseProbe(text: string): MonitorProbe {
  const [node, units, extra] = text.split(':');
  if (!node || extra !== undefined) {
    throw new RangeError(`monitor probe '${text}' must be <node> or <node>:<units>, e.g. bn3 or bn3:0,4-7`);
  }
  if (units === undefined) return { node };
  return { node, units: units.split(',').flatMap((part) => parseUnits(part.trim(), text)) };
}

function parseUnits(part: string, text: string): number[] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(part);
  if (!match) throw new RangeError(`monitor probe '${text}': '${part}' is not a unit index or a range like 4-7`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (last < first) throw new RangeError(`monitor probe '${text}': range ${part} ends before it starts`);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
