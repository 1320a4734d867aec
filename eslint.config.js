import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const TEST_FILES = ['**/*.test.ts', '**/testing.ts', '**/*fixtures.ts', '**/test-support.ts'];

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
  // Layers point one way (README, Layout): each folder of src/ may import only the folders listed
  // for it; tests and fixtures beside the code are exempt (they build inputs from any layer).
  ...layerRules({
    shared: [],
    git: [],
    stack: ['shared'],
    engine: ['stack', 'shared'],
    services: ['engine', 'shared'],
    reference: ['engine', 'stack', 'shared'],
    compare: ['engine', 'stack', 'shared'],
    judge: ['compare', 'engine', 'stack', 'shared'],
    report: ['judge', 'compare', 'engine', 'stack', 'shared'],
    settings: ['judge', 'compare', 'services', 'engine', 'stack', 'shared'],
    check: [
      'settings',
      'report',
      'judge',
      'compare',
      'services',
      'git',
      'engine',
      'stack',
      'shared',
    ],
    action: [
      'check',
      'settings',
      'report',
      'judge',
      'compare',
      'services',
      'git',
      'engine',
      'stack',
      'shared',
    ],
    cli: [
      'check',
      'settings',
      'report',
      'judge',
      'compare',
      'services',
      'git',
      'reference',
      'engine',
      'stack',
      'shared',
    ],
  }),
  // The ways the SUT runs are usable by the action and the CLI alike: never GitHub's toolkit.
  {
    files: ['src/services/**', 'src/check/**'],
    ignores: TEST_FILES,
    rules: { 'no-restricted-imports': ['error', { patterns: ['@actions/*'] }] },
  },
);

function layerRules(layers) {
  const folders = Object.keys(layers);
  return folders.map((folder) => ({
    files: [`src/${folder}/**`],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: folders
            .filter((other) => other !== folder && !layers[folder].includes(other))
            .map((other) => ({
              group: [`**/${other}/*`, `../${other}`, `../../${other}`],
              message: `src/${folder} may import only ${layers[folder].join(', ') || 'nothing'} (README, Layout).`,
            })),
        },
      ],
    },
  }));
}
