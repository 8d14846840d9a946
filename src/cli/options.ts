import { InvalidArgumentError } from 'commander';

/** Parses a command-line integer of at least `min`; commander reports the error with the option's name. */
export function integerOption(min: number): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`expected an integer >= ${min}, received '${value}'`);
    }
    return parsed;
  };
}

/** Parses a finite number above `exclusiveMin`. */
export function numberAbove(exclusiveMin: number): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= exclusiveMin) {
      throw new InvalidArgumentError(`expected a number > ${exclusiveMin}, received '${value}'`);
    }
    return parsed;
  };
}

/** Parses a number in [0, 1). */
export function fraction(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !(parsed >= 0 && parsed < 1)) {
    throw new InvalidArgumentError(`expected a number in [0, 1), received '${value}'`);
  }
  return parsed;
}
