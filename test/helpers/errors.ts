/**
 * Asserts that `call` throws an error of the named class with exactly `message`.
 * Errors thrown by the native addon come from Node's main realm, not from Jest's sandbox, so
 * `toThrow(TypeError)` cannot match them by constructor. This helper compares name and message.
 */
export function expectError(call: () => unknown, name: 'TypeError' | 'RangeError' | 'Error', message: string | RegExp): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeDefined();
  const error = thrown as Error;
  expect(error.name).toBe(name);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
}
