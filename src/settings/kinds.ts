import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { z } from 'zod';
import { maskUrl } from '../shared/redact.js';

/**
 * A kind of value: how the text a user wrote (an action input, a flag's argument) becomes a typed
 * value, and the valid values in words for errors and help. The parsing is a zod schema: zod is
 * the project's one schema library, for settings and for the result and baseline files, so a
 * declaration gives both the check and the TypeScript type.
 */
export interface Kind<T> {
  /**
   * `label` is the setting as its user wrote it (`input mix`, `--mix`), for parsers whose own
   * message is more precise than `expected` and names it.
   */
  schema(label: string): z.ZodType<T, string>;
  /** The valid values in words: "a whole number from 1 to 100". */
  expected: string;
  /** How a value appears in errors and docs (a URL's password masked). */
  show?(text: string): string;
}

/** A failure's message is "Expected <valid values>.", or a parser's own words naming the setting. */
export type ParseOutcome<T> =
  { ok: true; value: T } | { ok: false; message: string; ownWords: boolean };

/** An issue a parser raised with its own words; anything else is reported as `expected`. */
const OWN_WORDS = 'own-words';

export function parseWith<T>(kind: Kind<T>, text: string, label: string): ParseOutcome<T> {
  const parsed = kind.schema(label).safeParse(text);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues.find(
    (candidate) => candidate.code === 'custom' && candidate.params?.[OWN_WORDS] === true,
  );
  return issue
    ? { ok: false, message: issue.message, ownWords: true }
    : { ok: false, message: `Expected ${kind.expected}.`, ownWords: false };
}

/** Decimal notation with an optional exponent; `Number()` alone would take '', '0x10' and ' '. */
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;

const fmt = (n: number): string => n.toLocaleString('en-US');

function numeric(check: (value: number) => boolean, expected: string): Kind<number> {
  const schema = z
    .string()
    .trim()
    .regex(NUMBER)
    .transform(Number)
    .pipe(z.number().refine((value) => Number.isFinite(value) && check(value)));
  return { schema: () => schema, expected };
}

/** A whole number from `min` to `max`. */
export function count(min: number, max?: number, unit = ''): Kind<number> {
  const range =
    max === undefined
      ? min === 0
        ? 'of 0 or more'
        : `of at least ${fmt(min)}`
      : `from ${fmt(min)} to ${fmt(max)}`;
  return numeric(
    (value) => Number.isInteger(value) && value >= min && (max === undefined || value <= max),
    `a whole number ${range}${unit}`,
  );
}

/** A number of 0 or more (`above: true`: above 0), at most `max`. */
export function amount({
  above = false,
  max,
  unit = '',
}: {
  above?: boolean;
  max?: number;
  unit?: string;
}): Kind<number> {
  const low = above ? 'above 0' : 'of 0 or more';
  const high = max === undefined ? '' : ` and at most ${fmt(max)}`;
  return numeric(
    (value) => (above ? value > 0 : value >= 0) && (max === undefined || value <= max),
    `a number ${low}${high}${unit}`,
  );
}

export const fraction = numeric(
  (value) => value >= 0 && value <= 1,
  'a fraction from 0 to 1 (e.g. 0.1 for 10%)',
);

export const port = numeric(
  (value) => Number.isInteger(value) && value >= 0 && value <= 65_535,
  'a port from 0 to 65535 (0 picks a free one)',
);

export const httpErrorStatus: Kind<number> = {
  schema: () =>
    z.string().trim().regex(/^\d+$/).transform(Number).pipe(z.number().min(400).max(599)),
  expected: 'an HTTP error status from 400 to 599 (e.g. 503)',
};

/** Workflow inputs are strings; YAML's other spellings of true and false are accepted too. */
export const boolean: Kind<boolean> = {
  schema: () =>
    z.enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE']).transform((text) => {
      return text.toLowerCase() === 'true';
    }),
  expected: 'true or false',
};

export function oneOf<const T extends string>(values: readonly T[]): Kind<T> {
  const schema = z.enum(values as unknown as [T, ...T[]]) as unknown as z.ZodType<T, string>;
  return { schema: () => schema, expected: `one of ${values.join(', ')}` };
}

export const text: Kind<string> = {
  schema: () => z.string().trim().min(1),
  expected: 'a non-empty text',
};

/**
 * A URL of one of `protocols`. `placeholder` is text allowed in it that is filled in later
 * (`{port}` of the receiver's URL), checked as if it were a port number.
 */
export function url(
  protocols: readonly string[],
  example: string,
  { placeholder }: { placeholder?: string } = {},
): Kind<string> {
  const schema = z
    .string()
    .trim()
    .refine((value) => {
      try {
        const parsed = new URL(placeholder ? value.replaceAll(placeholder, '1') : value);
        return protocols.includes(parsed.protocol) && parsed.hostname !== '';
      } catch {
        return false;
      }
    });
  return {
    schema: () => schema,
    expected: `a ${protocols.join(' or ')} URL such as ${example}`,
    // The value is in the error, its password is not.
    show: maskUrl,
  };
}

/**
 * A text another module parses with its own precise message naming the setting (the event mix,
 * tolerance, noise floors, metric lists): the message is kept as it is.
 */
export function parsedBy<T>(parse: (text: string, label: string) => T, expected: string): Kind<T> {
  return {
    schema: (label) =>
      z.string().transform((value, context) => {
        try {
          return parse(value.trim(), label);
        } catch (error) {
          context.issues.push({
            code: 'custom',
            message: error instanceof Error ? error.message : String(error),
            input: value,
            params: { [OWN_WORDS]: true },
          });
          return z.NEVER;
        }
      }),
    expected,
  };
}

/** Addresses this machine can listen on: any interface, or one of its own. */
function localAddresses(): string[] {
  const own = Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).map((entry) => entry.address),
  );
  return ['0.0.0.0', '::', 'localhost', ...own];
}

/**
 * An address this machine can listen on, checked before anything starts: a listen that fails
 * later would stop a run after the services were brought up.
 */
export const listenAddress: Kind<string> = {
  schema: () =>
    z
      .string()
      .trim()
      .refine(
        (value) => (value === 'localhost' || isIP(value) !== 0) && localAddresses().includes(value),
      ),
  expected:
    'an address of this machine: 127.0.0.1, 0.0.0.0 (every interface), :: or one of its interfaces',
};

export const urlPath: Kind<string> = {
  schema: () =>
    z
      .string()
      .trim()
      .regex(/^\/\S*$/),
  expected: 'a path starting with /',
};
