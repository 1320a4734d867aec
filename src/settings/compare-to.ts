/** What a check compares the head with (src/check/reference.ts decides between them). */
export const COMPARE_TO = ['auto', 'baseline', 'base'] as const;
export type CompareTo = (typeof COMPARE_TO)[number];
