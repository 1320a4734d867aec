import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  // Layers point one way (README, Layout): shared <- stack <- engine <- services, compare/report <- cli/action.
  {
    files: ['src/shared/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../*'] }] },
  },
  {
    files: ['src/stack/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../*', '!../shared', '!../shared/*'] }],
    },
  },
  {
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/action/*',
            '**/cli/*',
            '**/compare/*',
            '**/report/*',
            '**/reference/*',
            '**/services/*',
          ],
        },
      ],
    },
  },
  // The ways the SUT runs: usable by the action and the CLI alike, so never GitHub's toolkit.
  {
    files: ['src/services/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/action/*',
            '**/cli/*',
            '**/compare/*',
            '**/report/*',
            '**/reference/*',
            '@actions/*',
          ],
        },
      ],
    },
  },
);
