export const TOOL_NAME = 'ethhook-load-test';
// Kept in step with package.json by a unit test; a literal so the bundle needs no file reads.
export const TOOL_VERSION = '1.0.0';
