#!/usr/bin/env node
// Thin launcher: the tool lives in dist/ (built by `npm ci` through the prepare script).
import { main } from '../dist/cli.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Let stdout drain (a piped --json - is written asynchronously), then leave even if a handle lingers.
setTimeout(() => process.exit(code), 2000).unref();
