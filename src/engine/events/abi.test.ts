import { describe, expect, it } from 'vitest';
import { addressTopic, encodeIntegers, integerWord } from './abi.js';
import { decodeIntegerWords } from './abi.test-support.js';

describe('ABI words', () => {
  it('encodes unsigned integers as big-endian 32-byte words', () => {
    expect(integerWord({ signed: false, bits: 256, value: 1n })).toBe(`${'0'.repeat(63)}1`);
    expect(integerWord({ signed: false, bits: 160, value: (1n << 160n) - 1n })).toBe(
      `${'0'.repeat(24)}${'f'.repeat(40)}`,
    );
  });

  it('sign-extends negative integers over the whole word, whatever their width', () => {
    expect(integerWord({ signed: true, bits: 24, value: -1 })).toBe('f'.repeat(64));
    expect(integerWord({ signed: true, bits: 24, value: -262_144 })).toBe(
      `${'f'.repeat(58)}fc0000`,
    );
    expect(integerWord({ signed: true, bits: 256, value: -(1n << 255n) })).toBe(
      `8${'0'.repeat(63)}`,
    );
  });

  it('refuses a value outside its type, naming the type', () => {
    expect(() => integerWord({ signed: true, bits: 24, value: 1 << 23 })).toThrow(/int24: 8388608/);
    expect(() => integerWord({ signed: false, bits: 128, value: -1n })).toThrow(/uint128: -1/);
  });

  it('concatenates the words of several arguments, and they read back', () => {
    const args = [
      { signed: true, bits: 256, value: -123_456_789n },
      { signed: false, bits: 128, value: 42n },
      { signed: true, bits: 24, value: -7 },
    ];
    const data = encodeIntegers(args);
    expect(data).toMatch(/^0x[0-9a-f]{192}$/);
    expect(decodeIntegerWords(data, args)).toEqual([-123_456_789n, 42n, -7n]);
  });

  it('left-pads an address to a lower-case topic', () => {
    expect(addressTopic('0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238')).toBe(
      `0x${'0'.repeat(24)}1c7d4b196cb0c7b01d743fbc6116a902379c7238`,
    );
    expect(() => addressTopic('0x1234')).toThrow(/not an address/);
  });
});
