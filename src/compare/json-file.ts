import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { InputFileError } from './errors.js';

/** Reads a file as JSON, turning every failure into an InputFileError that names the file. */
export async function readJsonFile(
  path: string,
  whatItIs: string,
  whenMissing: string,
): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new InputFileError(path, 'missing', `No ${whatItIs} at ${path}. ${whenMissing}`);
    }
    throw new InputFileError(
      path,
      'unreadable',
      `Cannot read the ${whatItIs} ${path}: ${(error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputFileError(
      path,
      'corrupt',
      `${path} is not valid JSON (${(error as Error).message}); it cannot be read as a ${whatItIs}.`,
    );
  }
}

export interface Versioned {
  kind: unknown;
  version: unknown;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

const ARTICLE: Record<string, string> = {
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  int: 'a whole number',
};

/** `delivery.latencyMs.p50`, `endpoints[2].name`: the path as a reader of the JSON writes it. */
function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    '',
  );
}

/** One problem: the field, what was expected, what was found. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const at = pathText(issue.path) || 'the document';
  const input = (issue as { input?: unknown }).input;
  if (issue.code === 'invalid_type') {
    if (input === undefined) return `${at} is missing`;
    const expected = ARTICLE[issue.expected] ?? issue.expected;
    return `${at} must be ${expected}, got ${describe(input)}`;
  }
  if (issue.code === 'invalid_value') {
    const values = issue.values.map((value) => JSON.stringify(value)).join(', ');
    return `${at} must be ${issue.values.length === 1 ? values : `one of ${values}`}, got ${input === undefined ? 'nothing' : describe(input)}`;
  }
  if (issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'invalid_format') {
    return `${at}: ${issue.message.replace(/^Invalid input: /, '')}, got ${describe(input)}`;
  }
  return `${at}: ${issue.message}`;
}

/** Problems shown per file: the first few say enough, a hundred bury the first. */
const MAX_ISSUES_SHOWN = 3;

export function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, MAX_ISSUES_SHOWN).map(describeIssue);
  const more = error.issues.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

/**
 * Checks the kind/version header (so an unknown version is named as such, not as a wrong field),
 * then parses the document with its schema. Errors name the file, the field and what was expected.
 */
export function parseDocument<Schema extends z.ZodType>(
  document: unknown,
  path: string,
  header: {
    kinds: readonly string[];
    versions: readonly number[];
    whatItIs: string;
    hint: string;
  },
  schema: Schema,
): z.output<Schema> {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new InputFileError(
      path,
      'wrong-kind',
      `${path} is not a ${header.whatItIs}: it holds no JSON object.`,
    );
  }
  const { kind, version } = document as Versioned;
  if (typeof kind !== 'string' || !header.kinds.includes(kind)) {
    throw new InputFileError(
      path,
      'wrong-kind',
      `${path} is not a ${header.whatItIs}: its kind is ${JSON.stringify(kind) ?? 'missing'}, expected ${header.kinds.map((item) => `"${item}"`).join(' or ')}.`,
    );
  }
  if (typeof version !== 'number' || !header.versions.includes(version)) {
    const newest = Math.max(...header.versions);
    const newer = typeof version === 'number' && version > newest;
    throw new InputFileError(
      path,
      'unsupported-version',
      `${path} is a ${header.whatItIs} of version ${JSON.stringify(version) ?? 'missing'}; this tool reads version ${header.versions.join(' or ')}. ${newer ? 'Upgrade ethhook-load-test to read it' : header.hint}.`,
    );
  }
  const parsed = schema.safeParse(document, { reportInput: true });
  if (!parsed.success) {
    throw new InputFileError(
      path,
      'invalid',
      `${path} is not a valid ${header.whatItIs} (version ${version}): ${describeIssues(parsed.error)}. ${header.hint.replace(/\.$/, '')}.`,
    );
  }
  return parsed.data;
}

/** Writes pretty-printed JSON (readable in review) atomically: a reader never sees half a file. */
export async function writeJsonFile(path: string, document: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`, 'utf8');
  await rename(temporary, path);
}
