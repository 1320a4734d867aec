/**
 * A strict reader of the generator's ABI data, for tests: every word must be exactly what the ABI
 * allows for its type (unsigned words zero above `bits`, signed words sign-extended), and the data
 * must hold exactly one word per argument.
 */
export function decodeIntegerWords(
  data: string,
  types: readonly { signed: boolean; bits: number }[],
): bigint[] {
  if (!/^0x([0-9a-f]{64})*$/.test(data)) throw new Error(`not ABI words: ${data}`);
  const words = data.slice(2).match(/.{64}/g) ?? [];
  if (words.length !== types.length) {
    throw new Error(`${words.length} words for ${types.length} arguments`);
  }
  return words.map((word, i) => {
    const { signed, bits } = types[i]!;
    const raw = BigInt(`0x${word}`);
    const value = signed && raw >> 255n === 1n ? raw - (1n << 256n) : raw;
    const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
    const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
    if (value < min || value > max) {
      throw new Error(`argument ${i}: ${value} does not fit ${signed ? 'int' : 'uint'}${bits}`);
    }
    return value;
  });
}
