import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputFileError } from './errors.js';
import { checkShape, ShapeError, type Schema } from './schema.js';

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

/** Checks the kind/version header, then the body's shape, naming the first wrong field. */
export function checkDocument<T>(
  document: unknown,
  path: string,
  header: { kinds: readonly string[]; version: number; whatItIs: string; hint: string },
  schema: Schema,
): asserts document is T {
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
  if (version !== header.version) {
    const newer = typeof version === 'number' && version > header.version;
    throw new InputFileError(
      path,
      'unsupported-version',
      `${path} is a ${header.whatItIs} of version ${JSON.stringify(version) ?? 'missing'}; this tool reads version ${header.version}. ${newer ? 'Upgrade ethhook-load-test to read it' : header.hint}.`,
    );
  }
  try {
    checkShape(document, schema);
  } catch (error) {
    if (error instanceof ShapeError) {
      throw new InputFileError(
        path,
        'invalid',
        `${path} is not a valid ${header.whatItIs}: ${error.message}. ${header.hint}.`,
      );
    }
    throw error;
  }
}

/** Writes pretty-printed JSON (readable in review) atomically: a reader never sees half a file. */
export async function writeJsonFile(path: string, document: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`, 'utf8');
  await rename(temporary, path);
}
