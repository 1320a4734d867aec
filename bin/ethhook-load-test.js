#!/usr/bin/env node
// The CLI runs the bundled engine, so it needs no TypeScript toolchain at run time.
import '../dist/cli/index.js';
