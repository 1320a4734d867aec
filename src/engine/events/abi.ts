/**
 * The little of Ethereum's ABI the generator needs: static integer words and address topics.
 * Every event it emits has only static arguments, so `data` is their 32-byte words in order;
 * a general ABI library (viem weighed 63 MB installed) would buy nothing more here.
 */

const WORD_BITS = 256n;
const WORD_HEX_CHARS = 64;

export type Hex = `0x${string}`;

/** One static integer argument: `bits` as in uint<bits> / int<bits>. */
export interface IntegerArgument {
  signed: boolean;
  bits: number;
  value: bigint | number;
}

/** The 32-byte word of one integer, two's complement (sign-extended) when signed. */
export function integerWord({ signed, bits, value }: IntegerArgument): string {
  const big = BigInt(value);
  const width = BigInt(bits);
  const min = signed ? -(1n << (width - 1n)) : 0n;
  const max = signed ? (1n << (width - 1n)) - 1n : (1n << width) - 1n;
  if (big < min || big > max) {
    throw new RangeError(`${signed ? 'int' : 'uint'}${bits}: ${big} is outside [${min}, ${max}]`);
  }
  const word = big < 0n ? (1n << WORD_BITS) + big : big;
  return word.toString(16).padStart(WORD_HEX_CHARS, '0');
}

/** ABI-encoded non-indexed data of static integer arguments. */
export function encodeIntegers(args: readonly IntegerArgument[]): Hex {
  return `0x${args.map(integerWord).join('')}`;
}

/** An address as an indexed topic: left-padded to 32 bytes, lower case. */
export function addressTopic(address: string): Hex {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new TypeError(`not an address: ${address}`);
  return `0x${address.slice(2).toLowerCase().padStart(WORD_HEX_CHARS, '0')}`;
}
