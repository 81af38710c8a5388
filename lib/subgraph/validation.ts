import { badUserInput } from '#lib/errors.js';

/**
 * Input checks that answer BAD_USER_INPUT naming the field at fault. Each
 * returns the value to store (trimmed text, the checked number).
 */
export function checkText(
  value: string,
  field: string,
  { min = 1, max, trim = true }: { min?: number; max: number; trim?: boolean },
): string {
  const text = trim ? value.trim() : value;
  if (text.length < min) {
    throw badUserInput(min === 1 ? `${field} must not be empty.` : `${field} must be at least ${min} characters.`, field);
  }
  if (text.length > max) throw badUserInput(`${field} must be at most ${max} characters.`, field);
  return text;
}

export function checkInt(value: number, field: string, { min, max }: { min: number; max: number }): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badUserInput(`${field} must be between ${min} and ${max}; got ${value}.`, field);
  }
  return value;
}

export function checkPattern(value: string, field: string, pattern: RegExp, expected: string): string {
  if (!pattern.test(value)) throw badUserInput(`${field} must be ${expected}.`, field);
  return value;
}

/** The page size of a bounded list: `first` between 1 and `max`. */
export function checkFirst(first: number | null | undefined, fallback: number, max = 100): number {
  return checkInt(first ?? fallback, 'first', { min: 1, max });
}
